"""Program effects (sim.model.effects): post-award programs (后补助) act through the award per unit, up
to the largest award a rule pays; money above it is unspent, neither expenditure nor effect."""
from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.model import effects
from sim.model.effects import award_multiple, levers
from sim.model.projection import run


def test_the_award_multiple_spends_the_budget_exactly_up_to_its_cap():
    k = np.array([0.0, 0.3, 1.0, 2.0, 5.0, 50.0])
    a, e = 0.2, 0.5
    m = award_multiple(k, a, e, 1e9)
    np.testing.assert_allclose(m * (1 - a + a * m ** e), k, rtol=1e-10, atol=1e-12)
    assert m[2] == pytest.approx(1.0)  # today's budget pays today's award
    assert award_multiple(k, a, e, 3.0).max() == 3.0


def test_post_award_programs_are_marked_and_the_others_are_paid_before():
    sc = sim.load_preset("demo")
    post = {lv.key for lv in levers(tuple(sc.base), sc.programs) if lv.post}
    assert ("platform_awards", "provincial_tech_innovation_centers") in post
    assert ("rd_post_subsidy", "industrial_rd") in post
    assert ("tech_sme_vouchers", "tech_smes") not in post and ("incubators", "provincial_incubators") not in post


def test_the_status_quo_pays_its_recognitions_and_leaves_nothing_unspent():
    sc = sim.load_preset("demo")
    ledger: dict = {}
    X = run(sc, ledger=ledger)
    assert np.abs(ledger["unspent"]).max() == 0
    trend = run(sc.status_quo_scenario())
    for q in X:
        np.testing.assert_allclose(X[q], trend[q], rtol=1e-12, atol=1e-12)


def test_money_above_the_largest_award_is_unspent_and_not_counted_as_spending():
    sc = sim.load_preset("demo")
    i = sc.programs.index("platform_awards")
    x = sc.spend_matrix()
    more = x.copy()
    more[i] *= 10  # ten times today's budget: the award can at most triple
    ledger: dict = {}
    X = run(sc, np.array([x, more]), ledger=ledger)
    unspent = ledger["unspent"][1, 1:]
    assert (unspent > 0).all() and (unspent < more[i] - x[i]).all()
    paid = more.sum(axis=0) - unspent
    fiscal = X["fiscal_st_spending"]
    np.testing.assert_allclose(fiscal[1, 1:] - fiscal[0, 1:], paid - x.sum(axis=0), rtol=1e-9)
    # the platforms caused stop growing with the money beyond the cap
    even_more = x.copy()
    even_more[i] *= 20
    Y = run(sc, np.array([more, even_more]))
    q = "provincial_tech_innovation_centers"
    np.testing.assert_allclose(Y[q][0], Y[q][1], rtol=1e-12)
    assert (Y[q][0, 2:] > X[q][0, 2:]).all()  # but more than today's budget buys


def test_a_higher_award_causes_units_with_diminishing_returns():
    sc = sim.load_preset("demo")
    i = sc.programs.index("rd_post_subsidy")
    x = sc.spend_matrix()
    steps = [x.copy() for _ in range(4)]
    for k, f in enumerate((1.0, 1.5, 2.0, 2.5)):
        steps[k][i] *= f
    rd = run(sc, np.array(steps))["industrial_rd"][:, 3]
    gains = np.diff(rd)
    assert (gains > 0).all() and (np.diff(gains) < 0).all()


def _newton_written_out(k, a, e, most, steps):
    """award_multiple as first written: every row takes every step."""
    k = np.maximum(np.asarray(k, dtype=float), 0.0)
    m = k.copy()
    for _ in range(steps):
        me = m ** e
        m = np.maximum(m - (m * (1 - a + a * me) - k) / (1 - a + a * (1 + e) * me), 0.0)
    return np.minimum(m, most)


@pytest.mark.parametrize("steps", [2, 3, 5, 8, 10, 12, 13])
def test_settled_newton_rows_give_the_full_count_s_value_bit_for_bit(monkeypatch, steps):
    """Rows that stop early (a fixed point or two alternating values by halfway) hold exactly what
    every step would give: random multiples (0, 1 and far from 1), additionality and elasticity as
    arrays, (1,) and scalars."""
    monkeypatch.setattr(effects, "NEWTON_STEPS", steps)
    rng = np.random.default_rng(steps)
    n = 20_000
    k = np.concatenate([rng.uniform(0, 4, n // 2), np.exp(rng.normal(0, 2, n // 4)), np.ones(n // 8), np.zeros(n // 8)])
    for a, e in ((rng.uniform(0, 1, n), np.exp(rng.uniform(np.log(0.1), np.log(2), n))), (0.6, 0.5),
                 (np.array([0.6]), np.array([0.25])), (rng.uniform(0, 1, n), np.array([1.0]))):
        got = effects.award_multiple(k, a, e, 3.0)
        assert np.array_equal(got, _newton_written_out(k, a, e, 3.0, steps))


@pytest.mark.parametrize("preset", ["demo", "changan"])
def test_post_award_effects_solved_together_give_each_one_s_own_solve_bit_for_bit(monkeypatch, preset):
    """Every post-award effect's two multiples in one Newton loop (rows up to FEW_ROWS) are the
    numbers of a loop per effect and multiple: central parameters (one elasticity, 0.5, shared:
    numpy's power treats it apart from 0.5 repeated) and 300 draws (elasticities drawn per row)."""
    from sim.uncertainty import draw

    sc = sim.load_preset(preset)
    rng = np.random.default_rng(5)
    spend = sc.spend_matrix()[None] * rng.uniform(0.2, 3.0, (2000, len(sc.programs), 1))  # a spread of multiples
    for params in (None, draw(sc, 300, 1)):
        x = spend if params is None else spend[:300]
        together = run(sc, x, params)
        monkeypatch.setattr(effects, "FEW_ROWS", 0)
        apart = run(sc, x, params)
        monkeypatch.undo()
        assert together.keys() == apart.keys()
        for q in together:
            assert np.array_equal(together[q], apart[q], equal_nan=True), q
