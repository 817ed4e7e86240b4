"""Decide whether provider guarantees entail an assumption, with z3 where parameters matter.

Each property is checked on its own: a Boolean ``p`` (the property holds for the subject), the
channel's TLS version ``tls`` (ranging over the versions the channel allows) and one Real per
upper-bound parameter (e.g. ``days``). A guarantee is ``condition ⇒ (p ∧ bounds)`` (or ``¬p`` for
``holds: false``); the assumption is ``p ∧ tls ≥ min ∧ bounds``. Entailment holds iff
``context ∧ guarantees ∧ ¬assumption`` is unsat (its unsat core names the guarantees used);
a sat model is a concrete counter-example. Purely Boolean cases are decided without the solver.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from medsecurance.errors import MissingDependencyError

__all__ = ["Clause", "Outcome", "decide"]


@dataclass(frozen=True, slots=True)
class Clause:
    """One assumed or guaranteed property instance, normalised for solving."""

    element: str
    kind: str
    prop: str
    origin: str = "declared"
    holds: bool = True
    tls_min: float | None = None
    tls_eq: float | None = None
    bounds: tuple[tuple[str, float], ...] = ()
    about: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        """Whether the clause needs arithmetic (TLS conditions or bounds)."""
        return self.tls_min is not None or self.tls_eq is not None or bool(self.bounds)

    def label(self) -> str:
        """A readable, stable label: 'pump-server guarantees integrity-protected (TLS ≥ 1.2)'."""
        text = f"{self.element} {'guarantees' if self.holds else 'does not provide'} {self.prop}"
        extras = [
            f"TLS ≥ {self.tls_min}" if self.tls_min is not None else "",
            f"with TLS {self.tls_eq}" if self.tls_eq is not None else "",
            *(f"{n} ≤ {_num(v)}" for n, v in self.bounds),
        ]
        extras = [e for e in extras if e]
        text += f" ({', '.join(extras)})" if extras else ""
        return text + (f" [{self.origin}]" if self.origin != "declared" else "")


@dataclass(frozen=True, slots=True)
class Outcome:
    """Result of one entailment check."""

    discharged: bool
    used: tuple[Clause, ...] = ()
    conflicts: tuple[Clause, ...] = ()
    counter: dict[str, Any] | None = None


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _z3() -> Any:
    try:
        import z3
    except ImportError as exc:  # pragma: no cover - z3 is installed in the dev environment
        raise MissingDependencyError("contract reasoning", "contracts") from exc
    return z3


_Shape = tuple[bool, float | None, float | None, tuple[tuple[str, float], ...]]
_CACHE: dict[
    tuple[_Shape, tuple[_Shape, ...], tuple[float, ...]], tuple[bool, tuple[int, ...], tuple[int, ...], Any]
] = {}


def _shape(c: Clause) -> _Shape:
    return (c.holds, c.tls_min, c.tls_eq, c.bounds)


def decide(assumption: Clause, providers: Sequence[Clause], allowed_tls: Sequence[float]) -> Outcome:
    """Whether ``providers`` entail ``assumption`` on a channel allowing ``allowed_tls`` versions.

    Solver results depend only on the clauses' logical shape, so they are memoised by shape.
    """
    if not assumption.numeric and not any(g.numeric for g in providers):
        return _boolean(providers)
    versions = tuple(sorted(set(allowed_tls))) or (0.0,)
    key = (_shape(assumption), tuple(_shape(g) for g in providers), versions)
    if key not in _CACHE:
        if len(_CACHE) > 100_000:
            _CACHE.clear()
        out = _solve(assumption, providers, versions)
        index = {id(g): i for i, g in enumerate(providers)}
        _CACHE[key] = (
            out.discharged,
            tuple(index[id(g)] for g in out.used),
            tuple(index[id(g)] for g in out.conflicts),
            out.counter,
        )
    discharged, used, conflicts, counter = _CACHE[key]
    return Outcome(
        discharged,
        tuple(providers[i] for i in used),
        tuple(providers[i] for i in conflicts),
        dict(counter) if counter is not None else None,
    )


def _boolean(providers: Sequence[Clause]) -> Outcome:
    positive = tuple(g for g in providers if g.holds)
    negative = tuple(g for g in providers if not g.holds)
    if positive and negative:
        return Outcome(False, conflicts=(positive[0], negative[0]))
    if positive:
        return Outcome(True, used=positive[:1])
    return Outcome(False, counter={"holds": False})


def _solve(assumption: Clause, providers: Sequence[Clause], versions: tuple[float, ...]) -> Outcome:
    z3 = _z3()
    p, tls = z3.Bool("p"), z3.Real("tls")
    names = sorted({n for c in (assumption, *providers) for n, _ in c.bounds})
    bvars = {n: z3.Real(n) for n in names}

    def val(v: float) -> Any:
        return z3.RealVal(str(Fraction(str(v))))

    def expr(c: Clause) -> Any:
        cond = [tls >= val(c.tls_min)] if c.tls_min is not None else []
        cond += [tls == val(c.tls_eq)] if c.tls_eq is not None else []
        body = z3.And(p, *[bvars[n] <= val(v) for n, v in c.bounds]) if c.holds else z3.Not(p)
        return z3.Implies(z3.And(*cond), body) if cond else body

    def solver(context: Any) -> tuple[Any, dict[str, Clause]]:
        s = z3.Solver()
        s.add(context, *[b >= 0 for b in bvars.values()])
        tracked: dict[str, Clause] = {}
        for i, g in enumerate(providers):
            tracked[f"g{i}"] = g
            s.assert_and_track(expr(g), z3.Bool(f"g{i}"))
        return s, tracked

    conflicts: list[Clause] = []
    good: list[float] = []
    for v in versions:
        s, tracked = solver(tls == val(v))
        if s.check() == z3.unsat:
            conflicts.extend(tracked[str(t)] for t in s.unsat_core() if str(t) in tracked)
        else:
            good.append(v)
    if not good:
        return Outcome(False, conflicts=tuple(dict.fromkeys(conflicts)))
    s, tracked = solver(z3.Or(*[tls == val(v) for v in good]))
    need = [p, *([tls >= val(assumption.tls_min)] if assumption.tls_min is not None else [])]
    need += [bvars[n] <= val(v) for n, v in assumption.bounds]
    s.add(z3.Not(z3.And(*need)))
    if s.check() == z3.unsat:
        used = tuple(tracked[str(t)] for t in s.unsat_core() if str(t) in tracked)
        return Outcome(True, used=used, conflicts=tuple(dict.fromkeys(conflicts)))
    model = s.model()
    counter: dict[str, Any] = {"holds": bool(z3.is_true(model.eval(p, model_completion=True)))}
    counter["tls"] = _as_float(model.eval(tls, model_completion=True))
    for n, var in bvars.items():
        counter[n] = _as_float(model.eval(var, model_completion=True))
    return Outcome(False, conflicts=tuple(dict.fromkeys(conflicts)), counter=counter)


def _as_float(value: Any) -> float:
    fraction = value.as_fraction()
    return float(fraction)
