#!/usr/bin/env python3
"""Deterministic trees shaped like real repositories, for the benchmark.

    python bench/gen_repo.py repo --size 3000 --out /tmp/repo [--seed 42]
    python bench/gen_repo.py deployment --size 1000 --shape folder|kustomize --out /tmp/dep

**repo**: several apps, each laid out one of four ways, plus a platform
folder of plain Kubernetes files, so that 60% of the YAML files are
Kubernetes objects without anything Dapr in them:

- a Helm chart: `Chart.yaml`, `values.yaml`, `templates/` whose Deployment,
  Service and Components use `{{ }}` (some values quoted, some not, `{{- if }}`
  lines: unrendered templates, as they sit in a repository), `_helpers.tpl`;
- kustomize: `base/` (kustomization, Deployment, Service, ConfigMap,
  components/) and `overlays/dev|prod` with `namespace:` and patches;
- plain manifests: a Deployment, a Service, a multi-document components file
  and a Secret;
- a run file: `dapr.yaml` (`common.resourcesPath`, one or two apps with
  `appDirPath`) and its `resources/` folder, with a `secretstores.local.file`
  store and its JSON file.

Deployments carry `dapr.io/` annotations (app-id, app-port, config); the
Configuration they name exists in most apps and is missing in some. Secrets
match the components' `secretKeyRef` names in most apps and miss in some.

**deployment**: one deployment of `size` YAML files with unique Component
names, except `planted.yaml`, whose Component repeats the name of the first
Component of the deployment (XRF003 when a tool reads the deployment as
context). Shape `folder`: every file in `components/`; shape `kustomize`:
`base/` with a kustomization listing every file and `overlays/prod` on top.
The root is made a git work tree (`git init`, when git is there), so that
daprlint finds the project around a named file.

Everything comes from one `random.Random(seed)`; the same arguments give a
byte-identical tree (`--digest`). `size` counts `.yaml`/`.yml` files only.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_tree  # noqa: E402  (its metadata generators and scalar helpers)

APP_WORDS = ["orders", "payments", "users", "inventory", "cart", "checkout", "shipping", "billing",
             "audit", "events", "catalog", "search", "reviews", "profiles", "ledger", "notify"]
LAYOUTS = [("helm", 3), ("kustomize", 4), ("plain", 2), ("runfile", 2)]
# component types an app of a repository typically has
APP_COMPONENTS = ["state.redis", "pubsub.redis", "state.postgresql", "pubsub.kafka", "bindings.aws.s3",
                  "state.aws.dynamodb", "pubsub.aws.snssqs", "bindings.cron", "bindings.http"]
NON_DAPR_SHARE = 0.6


class Repo:
    """The files of a tree before they are written: (relative path, text, category)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.files: list[tuple[str, str, str]] = []
        self.extra: list[tuple[str, str]] = []  # non-YAML files (templates helpers, JSON secrets)

    def add(self, path: str, text: str, category: str) -> None:
        self.files.append((path, text, category))

    def count(self, category: str | None = None) -> int:
        return sum(1 for _, _, c in self.files if category is None or c == category)


# --------------------------------------------------------------------------
# documents

def doc(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def metadata_lines(name: str, namespace: str | None = None, labels: dict | None = None,
                   annotations: dict | None = None, indent: str = "") -> list[str]:
    lines = [f"{indent}metadata:", f"{indent}  name: {name}"]
    if namespace:
        lines.append(f"{indent}  namespace: {namespace}")
    for key, values in (("labels", labels), ("annotations", annotations)):
        if values:
            lines.append(f"{indent}  {key}:")
            lines += [f"{indent}    {k}: {v}" for k, v in values.items()]
    return lines


def component(rng: random.Random, name: str, ctype: str, secret: str, namespace: str | None = None,
              scopes: list[str] | None = None, store: str | None = None, templated: bool = False) -> str:
    """A Component; secrets go through secretKeyRef to *secret* (now and then an inline fake value)."""
    lines = ["apiVersion: dapr.io/v1alpha1", "kind: Component"]
    lines += metadata_lines(name, namespace)
    lines += ["spec:", f"  type: {ctype}", "  version: v1"]
    items = gen_tree._TYPE_GEN[ctype](rng)
    if items:
        lines.append("  metadata:")
    for key, kind, value in items:
        lines.append(f"  - name: {key}")
        if kind == "s" and rng.random() < 0.9:
            lines += ["    secretKeyRef:", f"      name: {secret}", f"      key: {value}"]
        elif kind == "s":
            lines.append(f"    value: {rng.choice(gen_tree.FAKE_SECRETS)}")
        elif templated and kind == "v" and rng.random() < 0.3:
            quoted = rng.random() < 0.6
            ref = "{{ .Values.dapr." + key + " }}"
            lines.append(f'    value: "{ref}"' if quoted else f"    value: {ref}")
        elif kind == "q" or "password=" in value:
            lines.append(f'    value: "{value}"')
        elif kind == "t":
            lines.append(f"    value: {gen_tree.typed(rng, value)}")
        else:
            lines.append(f"    value: {gen_tree.scalar(rng, value)}")
    if store:
        lines += ["auth:", f"  secretStore: {store}"]
    if scopes:
        lines.append("scopes:")
        lines += [f"- {s}" for s in scopes]
    return doc(lines)


def configuration(name: str, namespace: str | None = None) -> str:
    return doc(["apiVersion: dapr.io/v1alpha1", "kind: Configuration", *metadata_lines(name, namespace),
                "spec:", "  tracing:", '    samplingRate: "1"', "    zipkin:",
                "      endpointAddress: http://zipkin.observability:9411/api/v2/spans",
                "  metric:", "    enabled: true"])


def subscription(app: str, pubsub: str, topic: str) -> str:
    return doc(["apiVersion: dapr.io/v2alpha1", "kind: Subscription", *metadata_lines(f"{app}-{topic}"),
                "spec:", f"  pubsubname: {pubsub}", f"  topic: {topic}", "  routes:",
                f"    default: /events/{topic}", "scopes:", f"- {app}"])


def resiliency(app: str, targets: list[str]) -> str:
    lines = ["apiVersion: dapr.io/v1alpha1", "kind: Resiliency", *metadata_lines(f"{app}-resiliency"),
             "spec:", "  policies:", "    timeouts:", "      general: 5s", "    retries:", "      standard:",
             "        policy: constant", "        duration: 1s", "        maxRetries: 3", "  targets:",
             "    components:"]
    for t in targets:
        lines += [f"      {t}:", "        outbound:", "          retry: standard", "          timeout: general"]
    return doc(lines)


def workload(rng: random.Random, app: str, dapr: bool, config: str | None = None,
             namespace: str | None = None, templated: bool = False, kind: str = "Deployment") -> str:
    port = rng.choice([3000, 5000, 8080])
    name = "{{ include \"app.fullname\" . }}" if templated else app
    lines = ["apiVersion: apps/v1", f"kind: {kind}", *metadata_lines(name, namespace, {"app": app}), "spec:"]
    lines.append("  replicas: {{ .Values.replicaCount }}" if templated else f"  replicas: {rng.randint(1, 4)}")
    lines += ["  selector:", "    matchLabels:", f"      app: {app}", "  template:", "    metadata:",
              "      labels:", f"        app: {app}"]
    if dapr:
        lines.append("      annotations:")
        if templated:
            lines.append("        {{- if .Values.dapr.enabled }}")
        lines += ['        dapr.io/enabled: "true"', f'        dapr.io/app-id: "{app}"',
                  f'        dapr.io/app-port: "{port}"']
        if config:
            lines.append(f'        dapr.io/config: "{config}"')
        if rng.random() < 0.3:
            lines.append(f'        dapr.io/log-level: "{rng.choice(["info", "debug"])}"')
        if templated:
            lines.append("        {{- end }}")
    image = "{{ .Values.image.repository }}:{{ .Values.image.tag }}" if templated else \
        f"ghcr.io/example/{app}:1.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    lines += ["    spec:", f"      serviceAccountName: {app}", "      containers:", f"      - name: {app}",
              f'        image: "{image}"', "        ports:", f"        - containerPort: {port}",
              "        env:"]
    for _ in range(rng.randint(1, 4)):
        lines += [f"        - name: {gen_tree.word(rng).upper()}_URL",
                  f"          value: http://{gen_tree.word(rng)}:8080"]
    lines += ["        resources:", "          limits:", f"            memory: {rng.choice(['128Mi', '256Mi'])}",
              '            cpu: "500m"', "        readinessProbe:", "          httpGet:", "            path: /healthz",
              f"            port: {port}"]
    return doc(lines)


def service(rng: random.Random, app: str, namespace: str | None = None, templated: bool = False) -> str:
    name = "{{ include \"app.fullname\" . }}" if templated else app
    return doc(["apiVersion: v1", "kind: Service", *metadata_lines(name, namespace, {"app": app}), "spec:",
                f"  type: {rng.choice(['ClusterIP', 'ClusterIP', 'NodePort'])}", "  selector:", f"    app: {app}",
                "  ports:", "  - name: http", "    port: 80", f"    targetPort: {rng.choice([3000, 5000, 8080])}"])


def configmap(rng: random.Random, name: str, namespace: str | None = None) -> str:
    lines = ["apiVersion: v1", "kind: ConfigMap", *metadata_lines(name, namespace), "data:"]
    for w in rng.sample(gen_tree.WORDS, rng.randint(2, 8)):
        lines.append(f"  {w.upper()}_MODE: {gen_tree.scalar(rng, rng.choice(['on', 'off', 'debug', '8080']))}")
    if rng.random() < 0.4:
        lines.append("  settings.json: |")
        lines += [f'    {{"{gen_tree.word(rng)}": {rng.randint(0, 99)}}}' for _ in range(rng.randint(1, 4))]
    return doc(lines)


def secret(rng: random.Random, name: str, keys: list[str], namespace: str | None = None) -> str:
    lines = ["apiVersion: v1", "kind: Secret", *metadata_lines(name, namespace), "type: Opaque", "stringData:"]
    lines += [f"  {k}: {rng.choice(gen_tree.FAKE_SECRETS)}" for k in keys]
    return doc(lines)


def ingress(app: str, namespace: str | None = None) -> str:
    return doc(["apiVersion: networking.k8s.io/v1", "kind: Ingress", *metadata_lines(f"{app}-ingress", namespace),
                "spec:", "  ingressClassName: nginx", "  rules:", f"  - host: {app}.example.com", "    http:",
                "      paths:", "      - path: /", "        pathType: Prefix", "        backend:", "          service:",
                f"            name: {app}", "            port:", "              number: 80"])


def service_account(name: str, namespace: str | None = None) -> str:
    return doc(["apiVersion: v1", "kind: ServiceAccount", *metadata_lines(name, namespace)])


def hpa(app: str) -> str:
    return doc(["apiVersion: autoscaling/v2", "kind: HorizontalPodAutoscaler", *metadata_lines(f"{app}-hpa"),
                "spec:", "  scaleTargetRef:", "    apiVersion: apps/v1", "    kind: Deployment", f"    name: {app}",
                "  minReplicas: 1", "  maxReplicas: 5", "  metrics:", "  - type: Resource", "    resource:",
                "      name: cpu", "      target:", "        type: Utilization", "        averageUtilization: 70"])


def network_policy(name: str) -> str:
    return doc(["apiVersion: networking.k8s.io/v1", "kind: NetworkPolicy", *metadata_lines(name), "spec:",
                "  podSelector: {}", "  policyTypes:", "  - Ingress", "  ingress:", "  - from:",
                "    - namespaceSelector:", "        matchLabels:", "          team: platform"])


def cronjob(rng: random.Random, name: str) -> str:
    return doc(["apiVersion: batch/v1", "kind: CronJob", *metadata_lines(name), "spec:",
                f'  schedule: "{rng.randint(0, 59)} {rng.randint(0, 23)} * * *"', "  jobTemplate:", "    spec:",
                "      template:", "        spec:", "          restartPolicy: OnFailure", "          containers:",
                f"          - name: {name}", f"            image: ghcr.io/example/{name}:latest"])


def kustomization(resources: list[str], namespace: str | None = None, patches: list[str] | None = None,
                  strategic: list[str] | None = None) -> str:
    lines = ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization"]
    if namespace:
        lines.append(f"namespace: {namespace}")
    lines.append("resources:")
    lines += [f"- {r}" for r in resources]
    if patches:
        lines.append("patches:")
        lines += [f"- path: {p}" for p in patches]
    if strategic:
        lines.append("patchesStrategicMerge:")
        lines += [f"- {p}" for p in strategic]
    return doc(lines)


# --------------------------------------------------------------------------
# one app, in one of the layouts

class App:
    def __init__(self, rng: random.Random, name: str):
        self.name = name
        self.secret = f"{name}-secrets"
        self.config = f"{name}-config"
        n = rng.randint(1, 4)
        self.components = [(f"{name}-{t.split('.')[0]}-{i}" if i else f"{name}-{t.split('.')[0]}", t)
                           for i, t in enumerate(rng.sample(APP_COMPONENTS, n))]
        self.has_config = rng.random() < 0.85   # else dapr.io/config names a missing Configuration
        self.has_secret = rng.random() < 0.75   # else the secretKeyRefs name a missing Secret
        self.secret_keys = ["redis-password", "aws-access-key", "aws-secret-key", "pg-password", "kafka-password"]

    def component_docs(self, rng: random.Random, namespace: str | None = None, templated: bool = False,
                       store: str | None = None) -> list[str]:
        docs = [component(rng, n, t, self.secret, namespace, [self.name] if rng.random() < 0.5 else None,
                          store, templated) for n, t in self.components]
        pubsubs = [n for n, t in self.components if t.startswith("pubsub.")]
        if pubsubs and rng.random() < 0.7:
            docs.append(subscription(self.name, pubsubs[0], rng.choice(gen_tree.WORDS)))
        if rng.random() < 0.3:
            docs.append(resiliency(self.name, [n for n, _ in self.components]))
        return docs


def layout_helm(repo: Repo, app: App, base: str) -> None:
    rng = repo.rng
    root = f"{base}/charts/{app.name}"
    repo.add(f"{root}/Chart.yaml", doc(["apiVersion: v2", f"name: {app.name}", "description: A Helm chart",
                                        "type: application", "version: 0.1.0", f'appVersion: "1.{rng.randint(0, 9)}.0"']),
             "structure")
    repo.add(f"{root}/values.yaml", doc(["replicaCount: 2", "image:", f"  repository: ghcr.io/example/{app.name}",
                                         '  tag: "latest"', "dapr:", "  enabled: true", "  appPort: 3000",
                                         f"  config: {app.config}", "service:", "  type: ClusterIP", "  port: 80"]),
             "structure")
    repo.extra.append((f"{root}/templates/_helpers.tpl",
                       '{{- define "app.fullname" -}}\n{{ .Release.Name }}-' + app.name + "\n{{- end }}\n"))
    repo.extra.append((f"{root}/templates/NOTES.txt", f"{app.name} is installed.\n"))
    repo.add(f"{root}/templates/deployment.yaml", workload(rng, app.name, True, app.config, templated=True), "dapr")
    repo.add(f"{root}/templates/service.yaml", service(rng, app.name, templated=True), "k8s")
    for i, text in enumerate(app.component_docs(rng, templated=True)):
        repo.add(f"{root}/templates/dapr-{i:02d}.yaml",
                 ("{{- if .Values.dapr.enabled }}\n" + text + "{{- end }}\n") if rng.random() < 0.4 else text, "dapr")
    if app.has_config:
        repo.add(f"{root}/templates/configuration.yaml", configuration(app.config), "dapr")
    if app.has_secret:
        repo.add(f"{root}/templates/secret.yaml", secret(rng, app.secret, app.secret_keys), "k8s")
    repo.add(f"{root}/templates/configmap.yaml", configmap(rng, f"{app.name}-settings"), "k8s")
    if rng.random() < 0.6:
        repo.add(f"{root}/templates/ingress.yaml", ingress(app.name), "k8s")


def layout_kustomize(repo: Repo, app: App, base: str) -> None:
    rng = repo.rng
    root = f"{base}/deploy/{app.name}"
    resources = ["deployment.yaml", "service.yaml", "configmap.yaml", "serviceaccount.yaml"]
    repo.add(f"{root}/base/deployment.yaml", workload(rng, app.name, True, app.config), "dapr")
    repo.add(f"{root}/base/service.yaml", service(rng, app.name), "k8s")
    repo.add(f"{root}/base/configmap.yaml", configmap(rng, f"{app.name}-settings"), "k8s")
    repo.add(f"{root}/base/serviceaccount.yaml", service_account(app.name), "k8s")
    for i, text in enumerate(app.component_docs(rng)):
        resources.append(f"components/{i:02d}.yaml")
        repo.add(f"{root}/base/components/{i:02d}.yaml", text, "dapr")
    if app.has_config:
        resources.append("configuration.yaml")
        repo.add(f"{root}/base/configuration.yaml", configuration(app.config), "dapr")
    repo.add(f"{root}/base/kustomization.yaml", kustomization(resources), "structure")
    for env in ("dev", "prod"):
        over = f"{root}/overlays/{env}"
        extra = []
        if app.has_secret:
            extra.append("secret.yaml")
            repo.add(f"{over}/secret.yaml", secret(rng, app.secret, app.secret_keys), "k8s")
        if env == "prod" and rng.random() < 0.5:
            extra.append("hpa.yaml")
            repo.add(f"{over}/hpa.yaml", hpa(app.name), "k8s")
        patch = doc(["apiVersion: apps/v1", "kind: Deployment", *metadata_lines(app.name), "spec:",
                     f"  replicas: {1 if env == 'dev' else 3}", "  template:", "    metadata:", "      annotations:",
                     f'        dapr.io/log-level: "{"debug" if env == "dev" else "warn"}"'])
        repo.add(f"{over}/replicas-patch.yaml", patch, "dapr")
        strategic = None
        if rng.random() < 0.4:  # an overlay that changes a component's metadata
            name, ctype = app.components[0]
            repo.add(f"{over}/component-patch.yaml",
                     doc(["apiVersion: dapr.io/v1alpha1", "kind: Component", *metadata_lines(name), "spec:",
                          f"  type: {ctype}", "  version: v1", "  metadata:", "  - name: enableTLS",
                          f'    value: "{"false" if env == "dev" else "true"}"']), "dapr")
            strategic = ["component-patch.yaml"]
        repo.add(f"{over}/kustomization.yaml",
                 kustomization(["../../base", *extra], env, ["replicas-patch.yaml"], strategic), "structure")


def layout_plain(repo: Repo, app: App, base: str) -> None:
    rng = repo.rng
    root = f"{base}/manifests/{app.name}"
    ns = rng.choice(["default", "apps", None])
    repo.add(f"{root}/deployment.yaml", workload(rng, app.name, True, app.config, ns), "dapr")
    repo.add(f"{root}/service.yaml", service(rng, app.name, ns), "k8s")
    docs = app.component_docs(rng, ns)
    if app.has_config:
        docs.append(configuration(app.config, ns))
    repo.add(f"{root}/dapr-components.yaml", "---\n".join(docs), "dapr")
    if app.has_secret:
        repo.add(f"{root}/secret.yaml", secret(rng, app.secret, app.secret_keys, ns), "k8s")


def layout_runfile(repo: Repo, app: App, base: str) -> None:
    rng = repo.rng
    root = f"{base}/local/{app.name}"
    apps = [app.name] + ([f"{app.name}-worker"] if rng.random() < 0.4 else [])
    lines = ["version: 1", "common:", "  resourcesPath: ./resources", "apps:"]
    for a in apps:
        lines += [f"- appID: {a}", f"  appDirPath: ./{a}/", f"  appPort: {rng.choice([3000, 5000, 8080])}",
                  "  command: [\"python3\", \"app.py\"]"]
        repo.extra.append((f"{root}/{a}/README.md", f"# {a}\n"))
    repo.add(f"{root}/dapr.yaml", doc(lines), "structure")
    store = f"{app.name}-local-secrets"
    repo.add(f"{root}/resources/secretstore.yaml",
             doc(["apiVersion: dapr.io/v1alpha1", "kind: Component", *metadata_lines(store), "spec:",
                  "  type: secretstores.local.file", "  version: v1", "  metadata:", "  - name: secretsFile",
                  "    value: ./resources/secrets.json", "  - name: nestedSeparator", '    value: ":"']), "dapr")
    repo.extra.append((f"{root}/resources/secrets.json",
                       "{\n" + ",\n".join(f'  "{k}": "fake-{i}"' for i, k in enumerate(app.secret_keys)) + "\n}\n"))
    for i, text in enumerate(app.component_docs(rng, store=store)):
        repo.add(f"{root}/resources/{i:02d}.yaml", text, "dapr")
    if app.has_config:
        repo.add(f"{root}/resources/config.yaml", configuration(app.config), "dapr")


LAYOUT_FUNCS = {"helm": layout_helm, "kustomize": layout_kustomize, "plain": layout_plain, "runfile": layout_runfile}

PLATFORM_KINDS = ["service", "configmap", "ingress", "deployment", "serviceaccount", "networkpolicy", "cronjob",
                  "secret", "hpa"]


def platform_file(rng: random.Random, serial: int) -> tuple[str, str]:
    """A plain Kubernetes file of the cluster's platform folder (nothing Dapr)."""
    kind = PLATFORM_KINDS[serial % len(PLATFORM_KINDS)]
    name = f"{rng.choice(gen_tree.WORDS)}-{serial}"
    text = {"service": lambda: service(rng, name), "configmap": lambda: configmap(rng, name),
            "ingress": lambda: ingress(name), "deployment": lambda: workload(rng, name, False),
            "serviceaccount": lambda: service_account(name), "networkpolicy": lambda: network_policy(name),
            "cronjob": lambda: cronjob(rng, name), "secret": lambda: secret(rng, name, ["token"]),
            "hpa": lambda: hpa(name)}[kind]()
    return f"platform/{kind}s/{serial // 200:03d}/{name}.yaml", text


def build_repo(size: int, seed: int = 42) -> Repo:
    """The repo tree's files, in write order: apps until 40% of *size* are Dapr-side, then the platform."""
    rng = random.Random(seed)
    repo = Repo(rng)
    names, weights = [n for n, _ in LAYOUTS], [w for _, w in LAYOUTS]
    serial = 0
    while repo.count() - repo.count("k8s") < size * (1 - NON_DAPR_SHARE) and repo.count() < size:
        name = APP_WORDS[serial % len(APP_WORDS)] + (f"-{serial // len(APP_WORDS)}" if serial >= len(APP_WORDS) else "")
        team = f"team-{serial // 8:02d}"
        LAYOUT_FUNCS[rng.choices(names, weights)[0]](repo, App(rng, name), team)
        serial += 1
    serial = 0
    while repo.count() < size:
        path, text = platform_file(rng, serial)
        repo.add(path, text, "k8s")
        serial += 1
    return repo


def write(repo: Repo, out: str) -> int:
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    total = 0
    for rel, text in [(p, t) for p, t, _ in repo.files] + repo.extra:
        path = os.path.join(out, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = text.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        total += len(data)
    return total


def generate_repo(size: int, out: str, seed: int = 42) -> dict:
    """Write the repo-shaped tree; returns its make-up (files per category, layouts, bytes)."""
    repo = build_repo(size, seed)
    nbytes = write(repo, out)
    return {"files": repo.count(), "k8s": repo.count("k8s"), "dapr": repo.count("dapr"),
            "structure": repo.count("structure"), "non_yaml": len(repo.extra), "bytes": nbytes}


# --------------------------------------------------------------------------
# one deployment of many files

PLANTED = "planted.yaml"
PLANTED_MARK = "redis-0000"  # the value a language-server client edits (4 digits)
# what a tool that reads the deployment around planted.yaml reports there, and what one that does not
CONTEXT_CODES = ("XRF003", "XRF005")   # duplicate name; Subscription scoped away from its (context) pub/sub
NO_CONTEXT_CODES = ("XRF002",)         # the pub/sub is unknown without the other files


def deployment_files(size: int, seed: int = 42) -> tuple[list[tuple[str, str]], dict]:
    """*size* files with unique Component names. File 0 is a state.redis Component and file 1 a
    pubsub.redis Component scoped to one app; the last, PLANTED, repeats file 0's Component (same
    type: XRF003 takes same-named Components of different types for alternatives) and holds a
    Subscription on file 1's pub/sub scoped to another app (XRF005, which does not depend on the
    order the files are read in; XRF002 when file 1 is not read)."""
    rng = random.Random(seed)
    files: list[tuple[str, str]] = []
    names: list[str] = []
    for i in range(size - 1):
        r = rng.random()
        app = f"{rng.choice(APP_WORDS)}-{i}"
        if r < 0.7 or i < 2:
            ctype = ("state.redis", "pubsub.redis")[i] if i < 2 else \
                rng.choices(gen_tree._TYPE_NAMES[:-1], gen_tree._TYPE_WEIGHTS[:-1])[0]
            name = f"{app}-{ctype.split('.')[0]}"
            names.append(name)
            scoped = i == 1 or (i > 1 and rng.random() < 0.3)
            text = component(rng, name, ctype, f"{app}-secrets", scopes=[app] if scoped else None)
        elif r < 0.8:
            text = workload(rng, app, True, None)
        elif r < 0.9:
            text = service(rng, app)
        else:
            text = configmap(rng, f"{app}-settings")
        files.append((f"{i:04d}-{app}.yaml", text))
    duplicated, pubsub = names[0], names[1]
    planted = doc(["# repeats the name of the first Component of the deployment",
                   "apiVersion: dapr.io/v1alpha1", "kind: Component", *metadata_lines(duplicated), "spec:",
                   "  type: state.redis", "  version: v1", "  metadata:", "  - name: redisHost",
                   f'    value: "{PLANTED_MARK}:6379"', "  - name: redisPassword", "    secretKeyRef:",
                   "      name: redis-secrets", "      key: redis-password"])
    planted += "---\n" + subscription("planted-app", pubsub, "planted")
    files.append((PLANTED, planted))
    return files, {"duplicated": duplicated, "pubsub": pubsub}


def generate_deployment(size: int, out: str, shape: str = "folder", seed: int = 42) -> dict:
    """Write one deployment of *size* YAML files (shape folder or kustomize); returns where things are."""
    if shape not in ("folder", "kustomize"):
        raise ValueError(f"unknown shape {shape!r}")
    # kustomize: the two kustomizations are YAML files of the deployment too
    files, names = deployment_files(size if shape == "folder" else size - 2, seed)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    folder = "components" if shape == "folder" else "base"
    os.makedirs(os.path.join(out, folder))
    for name, text in files:
        with open(os.path.join(out, folder, name), "wb") as f:
            f.write(text.encode("utf-8"))
    if shape == "kustomize":
        with open(os.path.join(out, "base", "kustomization.yaml"), "wb") as f:
            f.write(kustomization([n for n, _ in files]).encode())
        os.makedirs(os.path.join(out, "overlays", "prod"))
        with open(os.path.join(out, "overlays", "prod", "kustomization.yaml"), "wb") as f:
            f.write(kustomization(["../../base"], "prod").encode())
    git = shutil.which("git")
    if git:
        subprocess.run([git, "init", "-q", out], check=False, capture_output=True)
    return {"folder": folder, "planted": f"{folder}/{PLANTED}", **names, "git": bool(git)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["repo", "deployment"])
    ap.add_argument("--size", type=int, default=3000, help="number of YAML files (default 3000)")
    ap.add_argument("--shape", choices=["folder", "kustomize"], default="folder", help="deployment layout")
    ap.add_argument("--out", required=True, help="output folder (emptied first)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--digest", action="store_true", help="print the tree's sha256 afterwards")
    args = ap.parse_args(argv)
    if args.size < 2:
        ap.error("--size must be >= 2")
    if args.what == "repo":
        info = generate_repo(args.size, args.out, args.seed)
    else:
        info = generate_deployment(args.size, args.out, args.shape, args.seed)
    print(info)
    if args.digest:
        print("sha256", gen_tree.tree_digest(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
