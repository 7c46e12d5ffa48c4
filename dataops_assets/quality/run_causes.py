"""Which run is a model's latest, whether it scored the model, and which failures blocked its checks.

Pure functions over `RunFacts`, what one run's event log says; `run_history` reads them from Dagster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dataops_assets.quality.score import product_score

NEVER_SCORED = "never scored"
NO_SUITE = "no quality suite"


@dataclass(frozen=True)
class CheckOutcome:
    """One check evaluation of a run."""

    asset: str
    check: str
    step_key: str | None
    passed: bool
    blocks: bool  # failed with ERROR severity: what depends on it is not run or not published

    @property
    def ref(self) -> str:
        return f"{self.asset}:{self.check}"


@dataclass(frozen=True)
class RecordedScore:
    """A model's quality score as one run recorded it."""

    score: float
    dimensions: dict[str, float]
    timestamp: float


@dataclass(frozen=True)
class RunFacts:
    """What one run planned, evaluated, failed and scored."""

    run_id: str
    step_assets: Mapping[str, frozenset[str]] = field(default_factory=dict)  # step -> assets it materializes
    step_checked_assets: Mapping[str, frozenset[str]] = field(default_factory=dict)  # step -> assets it checks
    failed_steps: frozenset[str] = frozenset()
    outcomes: tuple[CheckOutcome, ...] = ()
    scores: Mapping[str, RecordedScore] = field(default_factory=dict)

    def evaluated_checks(self, asset: str) -> set[str]:
        return {o.check for o in self.outcomes if o.asset == asset}


@dataclass(frozen=True)
class Verdict:
    """A model's or a group's score in its latest run, why it has none, and what blocked its checks."""

    score: float | None
    reason: str | None
    blocked_by: tuple[str, ...] = ()
    recorded: RecordedScore | None = None  # a model's score with its dimensions, as its latest run wrote it


def latest_run(runs: Iterable[tuple[int, str]]) -> str | None:
    """The run id with the highest run storage id (runs are stored in launch order), or None."""
    return max(runs, default=(None, None))[1]


def blocked_by(model: str, ancestors: set[str], run: RunFacts) -> tuple[str, ...]:
    """`asset:check` of the failed blocking checks that kept `model`'s checks from running in `run`.

    Those on its ancestors, and every one evaluated in a failed step that materializes an ancestor
    or the model, or checks the model: a step is all or nothing, so a failure anywhere in it stops
    what it feeds. A failed step with no failed blocking check is named `step:<key>`.
    """
    upstream = ancestors | {model}
    failing = [o for o in run.outcomes if o.blocks]
    causes = {o.ref for o in failing if o.asset in ancestors}
    for step in run.failed_steps:
        if run.step_assets.get(step, frozenset()) & upstream or model in run.step_checked_assets.get(step, ()):
            causes |= {o.ref for o in failing if o.step_key == step} or {f"step:{step}"}
    return tuple(sorted(causes))


def judge_model(
    model: str, check_names: Iterable[str], ancestors: set[str], run: RunFacts | None, has_suite: bool
) -> Verdict:
    """The model's score recorded by its latest run `run` (None if no run planned it), never an older one."""
    if run is None:
        return Verdict(None, NEVER_SCORED if has_suite else NO_SUITE)
    ran = set(check_names) <= run.evaluated_checks(model)
    blocked = () if ran else blocked_by(model, ancestors, run)
    if not has_suite:
        return Verdict(None, NO_SUITE, blocked)
    recorded = run.scores.get(model)
    if recorded is not None:
        return Verdict(recorded.score, None, blocked, recorded)
    return Verdict(None, _not_scored(f"the latest run {run.run_id[:8]}", blocked), blocked)


def judge_group(verdicts: Mapping[str, Verdict], suite_models: Sequence[str]) -> Verdict:
    """A product (or the platform): the mean of its suite models' scores, only when each one's latest run scored it."""
    blocked = tuple(sorted({cause for v in verdicts.values() for cause in v.blocked_by}))
    with_suite = [m for m in verdicts if m in suite_models]
    if not with_suite:
        return Verdict(None, NO_SUITE, blocked)
    unscored = [m for m in with_suite if verdicts[m].score is None]
    if not unscored:
        return Verdict(product_score(verdicts[m].score for m in with_suite), None, blocked)
    if not blocked and all(verdicts[m].reason == NEVER_SCORED for m in unscored):
        return Verdict(None, NEVER_SCORED, blocked)
    latest = "the latest run" if blocked else f"the latest run of {', '.join(unscored)}"
    return Verdict(None, _not_scored(latest, blocked), blocked)


def _not_scored(latest: str, blocked: Sequence[str]) -> str:
    return f"not scored by {latest}" + (f": blocked by {', '.join(blocked)}" if blocked else "")
