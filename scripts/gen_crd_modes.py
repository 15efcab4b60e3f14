"""The two deployment modes of every Dapr CRD: what the Kubernetes API server rejects and what
self-hosted daprd rejects, with a machine-readable list of where they differ. Made by
scripts/gen_schemas.py from the JSON Schemas it converts out of dapr-crds/*.yaml.

Outputs in ``rules/generated/crds/`` (docs/versions.md, section "CRD modes"):

* ``<kind>-<version>.kubernetes.schema.json``  the CRD schema as the API server applies it:
  the openAPIV3Schema and its CEL rules, `apiVersion`/`kind`/`metadata` required, ObjectMeta
  name rules (name or generateName; a DNS-1123 subdomain of at most 253 characters; namespace a
  DNS-1123 label; label keys and values, annotation keys), and `null` accepted where the API
  server prunes it before validating (an optional field that is not `nullable`; Kubernetes >= 1.20,
  apiextensions-apiserver ``schema/defaulting/prunenulls.go``, so a null *required* field is missing).
* ``<kind>-<version>.self-hosted.schema.json``  what daprd's own loader rejects (dapr/dapr v1.18.3,
  see SELF_HOSTED below): the Go types, since sigs.k8s.io/yaml + encoding/json fail on a type
  mismatch but accept `null` anywhere and check nothing else; for MCPServer and
  WorkflowAccessPolicy daprd validates the whole CRD schema and its CEL rules itself.
* ``modes.json``  per "<apiVersion>/<Kind>": both file names, how self-hosted daprd reads the kind,
  and ``relaxed`` / ``self_hosted_only``: every constraint of one schema that the other lacks
  (schema path, instance path, keyword, both values), computed by walking both schemas.

The existing ``<kind>-<version>.schema.json`` (the plain conversion, read by DPR010) and
``component-v1alpha1.lint.schema.json`` (DPR001) are not changed.
"""

from __future__ import annotations

import copy

DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
# k8s.io/apimachinery pkg/util/validation IsQualifiedName: [prefix/]name, prefix a DNS-1123
# subdomain (<= 253), name <= 63 characters of [A-Za-z0-9_.-] starting and ending alphanumeric.
QUALIFIED_NAME = (r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                  r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
LABEL_VALUE = r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"
# metadata.name: a DNS-1123 subdomain, or empty when generateName is given (the anyOf below)
NAME_OR_EMPTY = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$"

_DISK = ("pkg/internal/loader/disk/manifest.go: documents split on \"\\n---\", sigs.k8s.io/yaml into the "
         "Go type; apiVersion and kind must match exactly; metadata.name must pass "
         "IsValidPathSegmentName (not \".\" or \"..\", no \"/\" or \"%\"); a failing document is skipped "
         "with a warning")
# How self-hosted daprd (dapr/dapr v1.18.3) reads each kind, and whether it validates the CRD schema.
SELF_HOSTED = {
    "Component": {"reader": _DISK, "name_rule": "path-segment", "schema": False},
    "Subscription": {"reader": _DISK + " (v1alpha1 and v2alpha1)", "name_rule": "path-segment", "schema": False},
    "HTTPEndpoint": {"reader": _DISK, "name_rule": "path-segment", "schema": False},
    "Resiliency": {"reader": "pkg/resiliency/resiliency.go loadLocalResiliencyPath: the whole file is "
                             "unmarshalled with sigs.k8s.io/yaml; only kind is checked, not apiVersion or "
                             "metadata.name; a failing file is skipped with an error log",
                   "name_rule": None, "schema": False},
    "Configuration": {"reader": "pkg/config/configuration.go LoadStandaloneConfiguration (--config): "
                                "os.ExpandEnv on the text, then sigs.k8s.io/yaml into the Go type; no "
                                "apiVersion, kind or name check; a failure stops daprd",
                      "name_rule": None, "schema": False},
    "MCPServer": {"reader": _DISK + "; then pkg/internal/loader/validate/validate.go checks the CRD "
                            "schema and its CEL rules on the decoded object (pkg/runtime/processor/"
                            "mcpservers.go: daprd exits unless spec.ignoreErrors)",
                  "name_rule": "path-segment", "schema": True},
    "WorkflowAccessPolicy": {"reader": _DISK + "; then validate.WorkflowAccessPolicy checks the CRD schema "
                                       "and its CEL rules (pkg/runtime/workflowaccesspolicy.go: a failing "
                                       "policy is skipped with a warning)",
                             "name_rule": "path-segment", "schema": True},
}
# First Dapr release whose chart ships the CRD (charts/dapr/crds at v1.17.13 vs v1.18.3).
KIND_SINCE = {"MCPServer": "1.18", "WorkflowAccessPolicy": "1.18"}

CONSTRAINTS = ("type", "required", "enum", "const", "pattern", "minLength", "maxLength", "minItems", "maxItems",
               "minimum", "maximum", "minProperties", "maxProperties", "uniqueItems", "propertyNames",
               "anyOf", "oneOf", "allOf", "not", "additionalProperties")
# dropped for self-hosted kinds whose loader only decodes: encoding/json checks none of these
DECODE_ONLY_DROPS = ("required", "enum", "const", "pattern", "minLength", "maxLength", "minItems", "maxItems",
                     "minimum", "maximum", "minProperties", "maxProperties", "uniqueItems")


def object_meta(name_rule: str) -> dict:
    """metadata as the API server checks it ("kubernetes") or daprd's disk loader does."""
    string_map = {"type": "object", "additionalProperties": {"type": "string"}}
    if name_rule == "kubernetes":
        return {
            "type": "object",
            "anyOf": [{"required": ["name"], "properties": {"name": {"minLength": 1}}}, {"required": ["generateName"]}],
            "properties": {
                "name": {"type": "string", "maxLength": 253, "pattern": NAME_OR_EMPTY},
                "generateName": {"type": "string"},
                "namespace": {"type": "string", "maxLength": 63, "pattern": DNS1123_LABEL},
                "labels": {"type": "object", "propertyNames": {"pattern": QUALIFIED_NAME, "maxLength": 317},
                           "additionalProperties": {"type": "string", "maxLength": 63, "pattern": LABEL_VALUE}},
                "annotations": {"type": "object", "propertyNames": {"pattern": QUALIFIED_NAME, "maxLength": 317},
                                "additionalProperties": {"type": "string"}},
            },
        }
    props = {"name": {"type": "string"}, "generateName": {"type": "string"}, "namespace": {"type": "string"},
             "labels": string_map, "annotations": copy.deepcopy(string_map)}
    if name_rule == "path-segment":
        props["name"] = {"type": "string", "not": {"anyOf": [{"enum": [".", ".."]}, {"type": "string", "pattern": "[/%]"}]}}
    return {"type": "object", "properties": props}


def _add_null(node: dict) -> None:
    t = node.get("type")
    if isinstance(t, str):
        node["type"] = [t, "null"]
    elif isinstance(t, list) and "null" not in t:
        node["type"] = t + ["null"]


def _children(node: dict):
    """(keyword, key, child) for every sub-schema of a node."""
    for k in ("properties",):
        for name, child in (node.get(k) or {}).items():
            yield k, name, child
    for k in ("items", "additionalProperties", "not", "propertyNames"):
        if isinstance(node.get(k), dict):
            yield k, None, node[k]
    for k in ("allOf", "anyOf", "oneOf"):
        for i, child in enumerate(node.get(k) or ()):
            yield k, i, child


def prune_nulls(node: dict) -> None:
    """An optional, non-nullable property (or map value) may be null: the API server drops it."""
    required = set(node.get("required") or ())
    for name, child in (node.get("properties") or {}).items():
        if name not in required:
            _add_null(child)
    if isinstance(node.get("additionalProperties"), dict):
        _add_null(node["additionalProperties"])
    for _, _, child in _children(node):
        prune_nulls(child)


def decode_only(node: dict) -> None:
    """What encoding/json enforces: the types (null everywhere), nothing else."""
    for k in DECODE_ONLY_DROPS:
        node.pop(k, None)
    _add_null(node)
    for _, _, child in _children(node):
        decode_only(child)


def kubernetes_schema(schema: dict) -> dict:
    out = copy.deepcopy(schema)
    out["properties"]["metadata"] = object_meta("kubernetes")
    out["required"] = sorted(set(out.get("required", [])) | {"apiVersion", "kind", "metadata"})
    prune_nulls(out)
    return out


def self_hosted_schema(schema: dict, without_cel: dict, kind: str) -> dict:
    how = SELF_HOSTED[kind]
    if how["schema"]:  # daprd validates the CRD schema itself (on the decoded Go object)
        out = copy.deepcopy(schema)
        out["properties"]["metadata"] = object_meta(how["name_rule"])
        out.pop("required", None)
        prune_nulls(out)
        return out
    out = copy.deepcopy(without_cel)
    decode_only(out)
    meta = object_meta(how["name_rule"])
    _add_null(meta)
    for child in meta["properties"].values():  # the loader checks the name rule, decodes the rest
        _add_null(child)
        if isinstance(child.get("additionalProperties"), dict):
            _add_null(child["additionalProperties"])
    out["properties"]["metadata"] = meta
    return out


def _instance(path: list) -> str:
    parts = []
    for kw, key in path:
        if kw == "properties":
            parts.append(str(key))
        elif kw in ("items", "additionalProperties"):
            parts.append("*")
        elif kw == "propertyNames":
            parts.append("(key)")
    return "/" + "/".join(parts)


def _pointer(path: list) -> str:
    out = []
    for kw, key in path:
        out.append(kw)
        if key is not None:
            out.append(str(key))
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in out)


def differences(k8s: dict, hosted: dict) -> tuple[list, list]:
    """(relaxed, self_hosted_only): constraints in one schema and not the other, node by node."""
    relaxed, only = [], []

    def walk(a, b, path):
        if a is None or b is None:
            return
        for kw in CONSTRAINTS:
            va, vb = a.get(kw), b.get(kw)
            if kw in ("allOf", "anyOf", "oneOf", "not", "additionalProperties", "propertyNames") and \
                    isinstance(va, (dict, list)) and isinstance(vb, (dict, list)) and _same_shape(va, vb):
                continue  # compared child by child below
            if va == vb:
                continue
            entry = {"schema_path": _pointer(path), "instance": _instance(path), "keyword": kw,
                     "kubernetes": va, "self_hosted": vb}
            (relaxed if va is not None else only).append(entry)
        for kw, key, child in _children(a):
            other = _child(b, kw, key)
            walk(child, other, path + [(kw, key)])

    walk(k8s, hosted, [])
    return relaxed, only


def _same_shape(a, b) -> bool:
    return type(a) is type(b) and (not isinstance(a, list) or len(a) == len(b))


def _child(node: dict, kw: str, key):
    value = node.get(kw)
    if kw == "properties":
        return (value or {}).get(key)
    if isinstance(key, int):
        return value[key] if isinstance(value, list) and key < len(value) else None
    return value if isinstance(value, dict) else None


def build_modes(files: dict, index: dict, crds: dict, dapr_commit: str) -> dict:
    """{file name: schema} for the two variants of every CRD, plus "modes.json"."""
    out, kinds = {}, {}
    for key, fname in sorted(index.items()):
        info = crds[fname]
        base = files[fname]
        stem = fname[: -len(".schema.json")]
        k8s = kubernetes_schema(base)
        hosted = self_hosted_schema(base, _with_head(base, info["without_cel"]), info["kind"])
        names = {}
        for mode, schema in (("kubernetes", k8s), ("self-hosted", hosted)):
            name = f"{stem}.{mode}.schema.json"
            schema["$id"] = base["$id"].replace(fname, name)
            schema["$comment"] = (f"{mode} variant of {fname} (scripts/gen_crd_modes.py; differences in "
                                  f"modes.json). " + base["$comment"])
            out[name] = schema
            names[mode] = name
        relaxed, only = differences(k8s, hosted)
        how = SELF_HOSTED[info["kind"]]
        kinds[key] = {
            "kubernetes": names["kubernetes"],
            "self-hosted": names["self-hosted"],
            "since": KIND_SINCE.get(info["kind"], "1.12"),
            "self_hosted_reader": how["reader"],
            "self_hosted_validates_crd_schema": how["schema"],
            "relaxed": relaxed,
            "self_hosted_only": only,
        }
    out["modes.json"] = {
        "$comment": (f"Generated by scripts/gen_crd_modes.py from dapr/dapr@{dapr_commit} charts/dapr/crds; "
                     "self-hosted readers as in dapr/dapr v1.18.3. 'relaxed': constraints the Kubernetes API "
                     "server enforces and self-hosted daprd does not (report them as warnings at most in "
                     "self-hosted mode); 'self_hosted_only': the reverse."),
        "kinds": kinds,
    }
    return out


def _with_head(base: dict, body: dict) -> dict:
    """The CEL-free body with the same $schema/$id/title/$comment header as the base file."""
    out = {k: base[k] for k in ("$schema", "$id", "title", "$comment") if k in base}
    out.update({k: v for k, v in body.items() if k != "$comment"})
    return out
