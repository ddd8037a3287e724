"""Consistency checks (勾稽关系): a registry of small functions over one disclosure."""

from disclosures.facts import Facts

from . import rules  # noqa: F401 — registers the checks
from .registry import REGISTRY, Finding, Severity, run_checks

__all__ = ["REGISTRY", "Facts", "Finding", "Severity", "check_disclosure", "run_checks"]


def check_disclosure(disclosure) -> list[Finding]:
    """Every check on a disclosure fetched with Disclosure.objects.with_contents()."""
    return run_checks(Facts.of(disclosure))
