"""The corpus of Keras models written by other people (``deepkit.benchmarks.corpus``):
``from_keras`` hosts each model recorded as hosted, equal to Keras in float64 on one
batch (forward, loss, gradients, one optimizer step), and refuses each other model with
one ``InputError`` listing exactly the problems recorded for it. A model whose status
changes either way fails here: a newly hosted one must then be recorded as hosted."""

import pytest

from deepkit.benchmarks.corpus import CORPUS, QUANTITIES, check

RTOL = 1e-10  # float64: Keras and the reference differ by summation order only


def unmatched(fragments, lines):
    """(fragments that match no line, lines that match no fragment)."""
    return (
        [f for f in fragments if not any(f in line for line in lines)],
        [line for line in lines if not any(f in line for f in fragments)],
    )


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_model_is_hosted_and_equal_or_refused_with_its_problems(name):
    entry = CORPUS[name]
    outcome = check(entry)  # any exception but a refusal fails here
    if entry.hosted:
        assert outcome.hosted, f"{name} is refused now:\n" + "\n".join(outcome.problems)
        assert set(outcome.deviations) == set(QUANTITIES)
        worst = {q: d for q, d in outcome.deviations.items() if not d <= RTOL}
        assert not worst, f"{name} differs from Keras: {worst}"
    else:
        assert not outcome.hosted, f"{name} is hosted now: record it so (refusals=())"
        missing, unexpected = unmatched(entry.refusals, outcome.problems)
        assert not missing, f"{name}: problems no longer reported: {missing}"
        assert not unexpected, f"{name}: problems not recorded: {unexpected}"


def test_unmatched_pairs_fragments_with_lines_both_ways():
    lines = ["layer 'a' (Foo): no counterpart", "layer 'b' (Foo): no counterpart", "metric x"]
    assert unmatched(["(Foo): no", "metric x"], lines) == ([], [])
    assert unmatched(["(Foo): no"], lines) == ([], ["metric x"])
    assert unmatched(["(Foo): no", "metric x", "(Bar)"], lines) == (["(Bar)"], [])


def test_corpus_has_25_models_each_with_its_source():
    assert len(CORPUS) == 25
    assert all(entry.source.startswith("https://") for entry in CORPUS.values())
    assert all(entry.build.__doc__ for entry in CORPUS.values())
