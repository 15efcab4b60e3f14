"""A Resiliency target names a policy that the same Resiliency does not define.

## What it does
Checks every `timeout`, `retry` and `circuitBreaker` that
`spec.targets.apps`, `.actors` and `.components` (`inbound`/`outbound`)
name against the policies under `spec.policies` of the same Resiliency
(`timeouts`, `retries`, `circuitBreakers`), plus the retries daprd defines
itself (`DaprBuiltInServiceRetries`, `DaprBuiltInActorRetries`,
`DaprBuiltInActorReminderRetries`, `DaprBuiltInActorNotFoundRetries`,
`DaprBuiltInInitializationRetries`: dapr/dapr `pkg/resiliency/resiliency.go`
@ d8450742). Says "did you mean".

## Why is this bad?
daprd looks the name up and, finding nothing, applies no policy to that
target: no timeout, no retry, no circuit breaker, without a word.

## Example
```yaml
spec:
  policies:
    retries:
      retryForever: {policy: constant, duration: 5s, maxRetries: -1}
  targets:
    components:
      statestore:
        outbound:
          retry: retryForEver     # the policy is retryForever
```
Use instead: `retry: retryForever`.
"""
from daprlint.factfinder import resource_facts
from daprlint.tree import closest_name

CODE = "XRF009"
NAME = "unknown-resiliency-policy"
SEVERITY = "error"
SUMMARY = "Resiliency target names a timeout, retry or circuit breaker the Resiliency does not define"
KINDS = ("Resiliency",)

_BUILT_IN_RETRIES = ("DaprBuiltInServiceRetries", "DaprBuiltInActorRetries", "DaprBuiltInActorReminderRetries",
                     "DaprBuiltInActorNotFoundRetries", "DaprBuiltInInitializationRetries")
_PLURAL = {"timeout": "timeouts", "retry": "retries", "circuitBreaker": "circuitBreakers"}


def check(resource, ctx):
    facts = resource.memo.get("facts")
    if facts is None:
        facts = resource.memo["facts"] = resource_facts(resource)
    for kind, ref in facts.policy_refs:
        defined = list(facts.policies.get(_PLURAL[kind], ()))
        if kind == "retry":
            defined += _BUILT_IN_RETRIES
        if ref.value in defined:
            continue
        close = closest_name(ctx, ref.value, defined)
        hint = f"; did you mean `{close}`?" if close else ""
        where = f"`spec.policies.{_PLURAL[kind]}`"
        yield ctx.report(ref.span, f"{kind} policy `{ref.value}` is not defined in {where}: daprd applies no "
                                   f"{kind} to this target{hint}")
