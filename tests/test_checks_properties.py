"""Property tests: random consistent disclosures pass every check, and any change to
a single amount is caught by at least one error.

The disclosures come from disclosures.fixtures.generate, drawn through hypothesis so a failure
shrinks to a small example. They are unsaved rows in a Facts: no database is involved.
"""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosures.checks import Severity, run_checks
from disclosures.fixtures.generate import amount_cells, generated_facts

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class HypothesisSource:
    def __init__(self, data):
        self.data = data

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))

    def sample(self, population, low: int, high: int) -> list:
        size = self.integer(low, min(high, len(population)))
        return self.data.draw(
            st.lists(st.sampled_from(list(population)), min_size=size, max_size=size, unique=True)
        )


@PROPERTY
@given(st.data())
def test_every_check_passes_on_a_consistent_disclosure(data):
    facts = generated_facts(HypothesisSource(data))
    assert [f.message for f in run_checks(facts)] == []


@PROPERTY
@given(st.data())
def test_changing_any_single_amount_is_an_error(data):
    facts = generated_facts(HypothesisSource(data))
    cells = amount_cells(facts)
    row, field = data.draw(st.sampled_from(cells), label="cell")
    before = getattr(row, field)
    cents = data.draw(st.integers(-(10**8), 10**8).filter(bool), label="change in cents")
    change = Decimal(cents) / 100
    if before + change < 0:
        change = -change  # amounts are never negative; move the other way
    setattr(row, field, before + change)
    errors = [f for f in run_checks(facts) if f.severity == Severity.ERROR]
    assert errors, f"{type(row).__name__}.{field} {before} → {before + change} went unnoticed"
