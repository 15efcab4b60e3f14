#!/usr/bin/env python3
"""Generate a deterministic synthetic tree of Dapr / Kubernetes manifests.

    python bench/gen_tree.py --size 10000 --out /tmp/tree [--seed 42]

The same (size, seed) always gives a byte-identical tree: everything comes
from one `random.Random(seed)`, files are written in a fixed order with "\\n"
line endings, and nothing depends on the clock, the environment or hash
randomisation.

Mix (approximate, drawn per file):
  * 80% of files are Dapr files (a Component first), 20% plain Kubernetes
    (Deployment, Service, ConfigMap);
  * independently, 20% of files are multi-document (2-4 documents):
    Component + Deployment, several Components, Component + Subscription /
    Resiliency / Configuration, Deployment + Service, ...
  * Components of many types (AWS, Redis, Kafka, PostgreSQL, HTTP, ...), with
    3-12 metadata items, secretKeyRef (block and flow style), obviously fake
    inline secrets (`fake-password-123`), AWS components sometimes missing
    their region, comments, and plain / single / double-quoted scalars.
  * 50 files per folder, folders nested two levels deep
    (`team-003/svc-0042/...`).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import sys

FILES_PER_FOLDER = 50
FOLDERS_PER_TEAM = 10

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1",
           "ap-southeast-2", "ap-northeast-1", "ca-central-1"]
BAD_REGIONS = ["eu-west-1b", "us-east-1a", "europe-west1", "us-east"]
WORDS = ["orders", "payments", "users", "inventory", "cart", "checkout", "shipping",
         "billing", "audit", "events", "catalog", "search", "reviews", "profiles",
         "sessions", "metrics", "reports", "invoices", "notifications", "ledger"]
APPS = ["checkout", "shipping", "billing", "web", "api", "worker", "cron",
        "frontend", "backend", "gateway"]
FAKE_SECRETS = ["fake-password-123", "not-a-real-secret", "changeme-fake-001",
                "dummy-token-xyz", "FAKEKEY0000000000000", "fake/Secret+Key/0000000000"]
NAMESPACES = ["default", "prod", "staging", "dev"]


# --------------------------------------------------------------------------
# scalars

def scalar(rng: random.Random, text: str) -> str:
    """Render a safe string plain, 'single' or "double" quoted."""
    r = rng.random()
    if r < 0.6:
        return text
    if r < 0.8:
        return "'" + text + "'"
    return '"' + text + '"'


def typed(rng: random.Random, text: str) -> str:
    """A number or boolean that must stay a string in Dapr metadata: usually quoted."""
    return ('"' + text + '"') if rng.random() < 0.7 else text


def word(rng: random.Random) -> str:
    return rng.choice(WORDS)


# --------------------------------------------------------------------------
# metadata item generators, by component type.
# Each returns a list of (name, kind, value) where kind is:
#   "v"  plain value (rendered with scalar()),
#   "t"  typed value (number/bool, rendered with typed()),
#   "q"  always double-quoted value,
#   "s"  secret: rendered as secretKeyRef or (sometimes) an inline fake value.

def _aws_common(rng: random.Random) -> list:
    items = []
    if rng.random() < 0.8:  # ~20% of AWS components miss their region
        region = rng.choice(BAD_REGIONS) if rng.random() < 0.03 else rng.choice(REGIONS)
        name = "awsRegion" if rng.random() < 0.05 else "region"
        items.append((name, "v", region))
    r = rng.random()
    if r < 0.3:
        items.append(("accessKey", "s", "aws-access-key"))
        items.append(("secretKey", "s", "aws-secret-key"))
        if rng.random() < 0.2:
            items.append(("sessionToken", "s", "aws-session-token"))
    elif r < 0.35:
        items.append(("accessKey", "s", "aws-access-key"))
    elif r < 0.45:
        items.append(("endpoint", "v", "http://localhost:4566"))
    return items


def _aws_extras(rng: random.Random) -> list:
    return [("sessionName", "v", f"dapr-{word(rng)}"),
            ("assumeRoleArn", "v", f"arn:aws:iam::012345678910:role/{word(rng)}-dapr")]


def _pad(rng: random.Random, items: list, extra: list, lo: int = 3, hi: int = 12) -> list:
    """Top items up with optional fields so the list has lo..hi entries."""
    want = rng.randint(lo, hi)
    pool = [e for e in extra if e[0] not in {i[0] for i in items}]
    rng.shuffle(pool)
    while len(items) < want and pool:
        items.append(pool.pop())
    return items


def m_dynamodb(rng):
    w = word(rng)
    items = [("table", "v", f"{w}-table")] + _aws_common(rng)
    return _pad(rng, items, [("partitionKey", "v", "id"), ("ttlAttributeName", "v", "expiresAt"),
                             ("actorStateStore", "t", rng.choice(["true", "false"]))])


def m_s3(rng):
    w = word(rng)
    items = [("bucket", "v", f"{w}-bucket-{rng.randint(1, 999)}")] + _aws_common(rng)
    return _pad(rng, items, [("decodeBase64", "t", "false"), ("encodeBase64", "t", "false"),
                             ("forcePathStyle", "t", rng.choice(["true", "false"])),
                             ("disableSSL", "t", "false"), ("insecureSSL", "t", "false"),
                             ("storageClass", "v", "STANDARD_IA")])


def m_snssqs(rng):
    items = _aws_common(rng)
    return _pad(rng, items, [("messageVisibilityTimeout", "t", str(rng.choice([10, 30, 60]))),
                             ("messageRetryLimit", "t", str(rng.randint(3, 10))),
                             ("messageWaitTimeSeconds", "t", "20"),
                             ("messageMaxNumber", "t", "10"), ("fifo", "t", "false"),
                             ("disableEntityManagement", "t", "false"),
                             ("concurrencyMode", "v", "parallel"),
                             ("consumerID", "v", f"{word(rng)}-consumer")])


def m_secretmanager(rng):
    items = _aws_common(rng)
    return _pad(rng, items, [("multipleKeyValuesPerSecret", "t", "false"),
                             ("endpoint", "v", "https://secretsmanager.us-east-1.amazonaws.com")]
                + _aws_extras(rng))


def m_parameterstore(rng):
    items = _aws_common(rng)
    return _pad(rng, items, [("prefix", "v", f"/{word(rng)}/")] + _aws_extras(rng))


def _redis_common(rng):
    return [("enableTLS", "t", rng.choice(["true", "false"])),
            ("redisDB", "t", str(rng.randint(0, 15))),
            ("redisMaxRetries", "t", str(rng.randint(1, 5))),
            ("redisUsername", "v", "default"), ("poolSize", "t", "20"),
            ("idleCheckFrequency", "v", "1m"), ("dialTimeout", "v", "5s")]


def m_redis(rng):
    w = word(rng)
    items = [("redisHost", "v", f"redis-{w}:6379"), ("redisPassword", "s", "redis-password")]
    return _pad(rng, items, _redis_common(rng) + [
        ("keyPrefix", "v", rng.choice(["none", "appid", "name"])),
        ("actorStateStore", "t", "true"), ("ttlInSeconds", "t", "3600"),
        ("maxRetries", "t", str(rng.randint(1, 5)))])  # maxRetries: a real-world mistake


def m_redis_pubsub(rng):
    w = word(rng)
    items = [("redisHost", "v", f"redis-{w}:6379"), ("redisPassword", "s", "redis-password")]
    return _pad(rng, items, _redis_common(rng) + [
        ("consumerID", "v", f"{word(rng)}-group"), ("processingTimeout", "v", "60s"),
        ("redeliverInterval", "v", "15s"), ("queueDepth", "t", "100"),
        ("concurrency", "t", "10"), ("maxLenApprox", "t", "10000")])


def m_kafka(rng):
    items = [("brokers", "v", f"kafka-{rng.randint(0, 2)}.kafka:9092"),
             ("authType", "v", rng.choice(["none", "password", "mtls", "oidc"]))]
    if items[1][2] == "password":
        items += [("saslUsername", "v", "dapr"), ("saslPassword", "s", "kafka-password")]
    return _pad(rng, items, [("consumerGroup", "v", f"{word(rng)}-group"),
                             ("clientID", "v", f"{word(rng)}-client"),
                             ("initialOffset", "v", rng.choice(["newest", "oldest"])),
                             ("maxMessageBytes", "t", "1024"),
                             ("consumeRetryInterval", "v", "200ms"),
                             ("version", "v", "2.0.0"), ("disableTls", "t", "false")])


def _pg_conn(rng, w):
    conn = f"host=pg-{w} user=dapr dbname={w} sslmode=require"
    return [("connectionString", "s" if rng.random() < 0.6 else "v",
             conn if rng.random() < 0.5 else conn + " password=fake-password-123")]


def m_postgres_state(rng):
    w = word(rng)
    return _pad(rng, _pg_conn(rng, w), [
        ("timeout", "v", "20s"), ("tableName", "v", f"{w}_state"),
        ("metadataTableName", "v", "dapr_metadata"), ("cleanupInterval", "v", "1h"),
        ("maxConns", "t", "10"), ("connectionMaxIdleTime", "v", "5m"),
        ("queryExecMode", "v", "simple_protocol"), ("actorStateStore", "t", "false")])


def m_postgres_binding(rng):
    w = word(rng)
    return _pad(rng, _pg_conn(rng, w), [
        ("maxConns", "t", "10"), ("connectionMaxIdleTime", "v", "5m"),
        ("queryExecMode", "v", "simple_protocol"),
        ("tableName", "v", f"{w}_rows")], lo=2, hi=5)  # tableName: not a binding field


def m_http(rng):
    items = [("url", "v", f"https://{word(rng)}.example.com/api/v{rng.randint(1, 3)}")]
    if rng.random() < 0.2:
        items.append(("securityToken", "s", "http-token"))
        items.append(("securityTokenHeader", "v", "Authorization"))
    return _pad(rng, items, [("maxResponseBodySize", "v", "100Mi"),
                             ("MTLSRootCA", "v", "/etc/certs/ca.pem"),
                             ("responseTimeout", "v", "10s"), ("direction", "v", "output")], lo=3)


def m_cron(rng):
    # "@..." cannot start a plain scalar: always double-quoted
    return [("schedule", "q", rng.choice(["@every 15m", "0 30 * * * *", "@daily"])),
            ("direction", "v", "input"), ("route", "v", f"/{word(rng)}-tick")]


def m_localfile(rng):
    return [("secretsFile", "v", "./secrets.json"), ("nestedSeparator", "q", ":")]


def m_kubernetes(rng):
    return []


COMPONENT_TYPES = [
    # (type, weight, metadata generator)
    ("state.aws.dynamodb", 10, m_dynamodb),
    ("bindings.aws.s3", 8, m_s3),
    ("pubsub.aws.snssqs", 8, m_snssqs),
    ("secretstores.aws.secretmanager", 6, m_secretmanager),
    ("secretstores.aws.parameterstore", 3, m_parameterstore),
    ("state.redis", 10, m_redis),
    ("pubsub.redis", 5, m_redis_pubsub),
    ("pubsub.kafka", 7, m_kafka),
    ("bindings.kafka", 2, m_kafka),
    ("bindings.postgres", 4, m_postgres_binding),
    ("bindings.postgresql", 2, m_postgres_binding),
    ("state.postgresql", 7, m_postgres_state),
    ("bindings.http", 5, m_http),
    ("bindings.cron", 3, m_cron),
    ("secretstores.local.file", 2, m_localfile),
    ("secretstores.kubernetes", 2, m_kubernetes),
    ("state.mongodb", 1, lambda rng: [("host", "v", "mongo:27017"), ("username", "v", "dapr"),
                                       ("password", "s", "mongo-password"),
                                       ("databaseName", "v", word(rng))]),
    ("state.aws.dynamodbx", 1, m_dynamodb),  # an unknown type, now and then
]
_TYPE_NAMES = [t[0] for t in COMPONENT_TYPES]
_TYPE_WEIGHTS = [t[1] for t in COMPONENT_TYPES]
_TYPE_GEN = {t[0]: t[2] for t in COMPONENT_TYPES}


# --------------------------------------------------------------------------
# documents

class Ctx:
    """What the documents of one file share: names, so cross refs resolve."""

    def __init__(self, rng: random.Random, serial: int):
        self.rng = rng
        self.serial = serial
        self.components: list[tuple[str, str]] = []  # (name, type)


def header(rng: random.Random, lines: list, text: str) -> None:
    if rng.random() < 0.35:
        lines.append(f"# {text}")


def meta_block(rng: random.Random, lines: list, name: str, indent: str = "") -> None:
    lines.append(f"{indent}metadata:")
    lines.append(f"{indent}  name: {scalar(rng, name)}")
    if rng.random() < 0.3:
        lines.append(f"{indent}  namespace: {rng.choice(NAMESPACES)}")
    if rng.random() < 0.15:
        lines.append(f"{indent}  labels:")
        lines.append(f"{indent}    app.kubernetes.io/part-of: {word(rng)}")
        lines.append(f"{indent}    team: {scalar(rng, 'team-' + str(rng.randint(1, 40)))}")


def component(ctx: Ctx, ctype: str | None = None) -> str:
    rng = ctx.rng
    if ctype is None:
        ctype = rng.choices(_TYPE_NAMES, _TYPE_WEIGHTS)[0]
    kind = ctype.split(".", 1)[0]
    name = f"{word(rng)}-{kind}" if rng.random() < 0.5 else f"{word(rng)}-{kind}-{ctx.serial}"
    ctx.components.append((name, ctype))
    lines: list[str] = []
    header(rng, lines, f"{ctype} component for the {name.split('-')[0]} service")
    lines.append("apiVersion: dapr.io/v1alpha1")
    lines.append("kind: Component")
    meta_block(rng, lines, name)
    lines.append("spec:")
    lines.append(f"  type: {ctype}")
    lines.append(f"  version: {scalar(rng, 'v1')}")
    if rng.random() < 0.1:
        lines.append(f"  initTimeout: {rng.choice(['5s', '30s', '1m'])}")
    items = _TYPE_GEN[ctype](rng)
    if items:
        lines.append("  metadata:")
    list_indent = "  " if rng.random() < 0.7 else "    "  # compact vs indented sequences
    for n, k, v in items:
        lines.append(f"{list_indent}- name: {n}")
        pre = list_indent + "  "
        if k == "s":
            r = rng.random()
            if r < 0.55:
                lines.append(f"{pre}secretKeyRef:")
                lines.append(f"{pre}  name: {scalar(rng, v.split('-')[0] + '-secrets')}")
                lines.append(f"{pre}  key: {scalar(rng, v)}")
            elif r < 0.75:
                lines.append(f"{pre}secretKeyRef: {{name: {v.split('-')[0]}-secrets, key: {v}}}")
            else:
                fake = rng.choice(FAKE_SECRETS)
                comment = "  # TODO: move to a secret store" if rng.random() < 0.3 else ""
                lines.append(f"{pre}value: {scalar(rng, fake)}{comment}")
        elif k == "t":
            lines.append(f"{pre}value: {typed(rng, v)}")
        elif k == "q":
            lines.append(f'{pre}value: "{v}"')
        else:
            if "password=" in v:  # inline credential in a connection string
                lines.append(f'{pre}value: "{v}"')
            else:
                lines.append(f"{pre}value: {scalar(rng, v)}")
    if rng.random() < 0.25:
        store = "kubernetes" if rng.random() < 0.6 else rng.choice(["aws-secrets", "vault", "local-secrets"])
        lines.append("auth:")
        lines.append(f"  secretStore: {store}")
    if rng.random() < 0.3:
        apps = rng.sample(APPS, rng.randint(1, 3))
        if rng.random() < 0.5:
            lines.append("scopes: [" + ", ".join(apps) + "]")
        else:
            lines.append("scopes:")
            lines += [f"- {a}" for a in apps]
    return "\n".join(lines) + "\n"


def subscription(ctx: Ctx) -> str:
    rng = ctx.rng
    pubsubs = [n for n, t in ctx.components if t.startswith("pubsub.")]
    pubsub = rng.choice(pubsubs) if pubsubs and rng.random() < 0.9 else f"{word(rng)}-pubsub"
    topic = word(rng)
    lines: list[str] = []
    header(rng, lines, f"deliver {topic} events")
    v2 = rng.random() < 0.6
    lines.append("apiVersion: dapr.io/v2alpha1" if v2 else "apiVersion: dapr.io/v1alpha1")
    lines.append("kind: Subscription")
    meta_block(rng, lines, f"{topic}-sub-{ctx.serial}")
    lines.append("spec:")
    lines.append(f"  pubsubname: {pubsub}")
    lines.append(f"  topic: {scalar(rng, topic)}")
    if v2:
        lines.append("  routes:")
        lines.append(f"    default: /{topic}")
    else:
        lines.append(f"  route: /{topic}")
    if rng.random() < 0.4:
        lines.append(f"scopes: [{rng.choice(APPS)}]")
    return "\n".join(lines) + "\n"


def resiliency(ctx: Ctx) -> str:
    rng = ctx.rng
    lines: list[str] = []
    header(rng, lines, "retries and timeouts")
    lines.append("apiVersion: dapr.io/v1alpha1")
    lines.append("kind: Resiliency")
    meta_block(rng, lines, f"resiliency-{ctx.serial}")
    lines += [
        "spec:",
        "  policies:",
        "    timeouts:",
        f"      general: {rng.choice(['5s', '10s', '30s'])}",
        "    retries:",
        "      retryForever:",
        "        policy: exponential",
        f"        maxInterval: {rng.choice(['15s', '60s'])}",
        "        maxRetries: -1",
        "  targets:",
        "    components:",
    ]
    names = [n for n, _ in ctx.components] or [f"{word(rng)}-state"]
    for n in names[:3]:
        lines.append(f"      {n}:")
        lines.append("        outbound:")
        lines.append("          retry: retryForever")
        lines.append("          timeout: general")
    return "\n".join(lines) + "\n"


def configuration(ctx: Ctx) -> str:
    rng = ctx.rng
    lines: list[str] = []
    header(rng, lines, "tracing and features")
    lines.append("apiVersion: dapr.io/v1alpha1")
    lines.append("kind: Configuration")
    meta_block(rng, lines, f"appconfig-{ctx.serial}")
    lines += [
        "spec:",
        "  tracing:",
        f"    samplingRate: \"{rng.choice(['1', '0.5', '0.1'])}\"",
        "    zipkin:",
        "      endpointAddress: http://zipkin.default.svc.cluster.local:9411/api/v2/spans",
        "  features:",
        f"  - name: {rng.choice(['SchedulerReminders', 'HotReload', 'ServiceInvocationStreaming'])}",
        f"    enabled: {rng.choice(['true', 'false'])}",
    ]
    return "\n".join(lines) + "\n"


def deployment(ctx: Ctx) -> str:
    rng = ctx.rng
    app = rng.choice(APPS)
    name = f"{app}-{ctx.serial}"
    lines: list[str] = []
    header(rng, lines, f"{app} deployment")
    lines.append("apiVersion: apps/v1")
    lines.append("kind: Deployment")
    meta_block(rng, lines, name)
    lines += [
        "spec:",
        f"  replicas: {rng.randint(1, 5)}",
        "  selector:",
        "    matchLabels:",
        f"      app: {app}",
        "  template:",
        "    metadata:",
        "      labels:",
        f"        app: {app}",
    ]
    if rng.random() < 0.6:
        lines += [
            "      annotations:",
            '        dapr.io/enabled: "true"',
            f'        dapr.io/app-id: "{app}"',
            f'        dapr.io/app-port: "{rng.choice([3000, 5000, 8080])}"',
        ]
    lines += [
        "    spec:",
        "      containers:",
        f"      - name: {app}",
        f"        image: {scalar(rng, 'ghcr.io/example/' + app + ':1.' + str(rng.randint(0, 30)) + '.' + str(rng.randint(0, 9)))}",
        "        ports:",
        f"        - containerPort: {rng.choice([3000, 5000, 8080])}",
    ]
    if rng.random() < 0.5:
        lines.append("        env:")
        for _ in range(rng.randint(1, 5)):
            lines.append(f"        - name: {word(rng).upper()}_URL")
            lines.append(f"          value: {scalar(rng, 'http://' + word(rng) + ':8080')}")
    if rng.random() < 0.5:
        lines += [
            "        resources:",
            "          limits:",
            f"            memory: {rng.choice(['128Mi', '256Mi', '512Mi'])}",
            f'            cpu: "{rng.choice(["250m", "500m", "1"])}"',
        ]
    return "\n".join(lines) + "\n"


def service(ctx: Ctx) -> str:
    rng = ctx.rng
    app = rng.choice(APPS)
    lines: list[str] = []
    header(rng, lines, f"{app} service")
    lines.append("apiVersion: v1")
    lines.append("kind: Service")
    meta_block(rng, lines, f"{app}-svc-{ctx.serial}")
    port = rng.choice([80, 443, 8080])
    lines += [
        "spec:",
        f"  type: {rng.choice(['ClusterIP', 'ClusterIP', 'NodePort', 'LoadBalancer'])}",
        "  selector:",
        f"    app: {app}",
        "  ports:",
        f"  - port: {port}",
        f"    targetPort: {rng.choice([3000, 5000, 8080])}",
        "    protocol: TCP",
    ]
    return "\n".join(lines) + "\n"


def configmap(ctx: Ctx) -> str:
    rng = ctx.rng
    lines: list[str] = []
    header(rng, lines, "application settings")
    lines.append("apiVersion: v1")
    lines.append("kind: ConfigMap")
    meta_block(rng, lines, f"{word(rng)}-config-{ctx.serial}")
    lines.append("data:")
    for w in rng.sample(WORDS, rng.randint(2, 8)):  # distinct keys
        lines.append(f"  {w.upper()}_{rng.choice(['HOST', 'PORT', 'MODE', 'LEVEL'])}: "
                     f"{scalar(rng, rng.choice(['info', 'debug', 'prod', 'localhost', '8080', 'on']))}")
    if rng.random() < 0.3:
        lines.append("  app.properties: |")
        for _ in range(rng.randint(2, 5)):
            lines.append(f"    {word(rng)}.enabled={rng.choice(['true', 'false'])}")
    return "\n".join(lines) + "\n"


K8S_KINDS = [deployment, service, configmap]
DAPR_EXTRAS = [subscription, resiliency, configuration]


def make_file(rng: random.Random, serial: int) -> tuple[str, str]:
    """Return (file name stem, text)."""
    ctx = Ctx(rng, serial)
    dapr = rng.random() < 0.8
    multi = rng.random() < 0.2
    docs: list[str] = []
    if dapr:
        docs.append(component(ctx))
        stem = ctx.components[0][0]
        if multi:
            for _ in range(rng.randint(1, 3)):
                r = rng.random()
                if r < 0.35:
                    docs.append(component(ctx))
                elif r < 0.65:
                    docs.append(deployment(ctx))
                else:
                    docs.append(rng.choice(DAPR_EXTRAS)(ctx))
    else:
        first = rng.choice(K8S_KINDS)
        docs.append(first(ctx))
        stem = first.__name__
        if multi:
            for _ in range(rng.randint(1, 3)):
                docs.append(rng.choice(K8S_KINDS)(ctx))
    sep = "---\n"
    text = sep.join(docs)
    if rng.random() < 0.1:
        text = "---\n" + text  # a leading document marker now and then
    return stem, text


def generate(size: int, out: str, seed: int = 42) -> int:
    """Write `size` files under `out` (which is emptied first). Returns bytes written."""
    rng = random.Random(seed)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    total = 0
    for i in range(size):
        folder_no = i // FILES_PER_FOLDER
        folder = os.path.join(out, f"team-{folder_no // FOLDERS_PER_TEAM:03d}", f"svc-{folder_no:04d}")
        if i % FILES_PER_FOLDER == 0:
            os.makedirs(folder, exist_ok=True)
        stem, text = make_file(rng, i)
        ext = ".yaml" if rng.random() < 0.9 else ".yml"
        path = os.path.join(folder, f"{i:05d}-{stem}{ext}")
        data = text.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        total += len(data)
    return total


def tree_digest(root: str) -> str:
    """sha256 over (relative path, content) of every file, in sorted order (.git folders left out)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")  # `git init` output varies by git version
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, root).replace(os.sep, "/").encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read())
            h.update(b"\0")
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=1000, help="number of files (default 1000)")
    ap.add_argument("--out", required=True, help="output folder (emptied first)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--digest", action="store_true", help="print the tree's sha256 afterwards")
    args = ap.parse_args(argv)
    if args.size < 1:
        ap.error("--size must be >= 1")
    nbytes = generate(args.size, args.out, args.seed)
    msg = f"wrote {args.size} files, {nbytes / 1e6:.1f} MB, under {args.out}"
    if args.digest:
        msg += f"\nsha256 {tree_digest(args.out)}"
    print(msg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
