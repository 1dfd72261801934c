"""The did-you-mean hint every caller builds from ``birdkit.errors.did_you_mean``."""

from __future__ import annotations

from birdkit.errors import closest_choice, did_you_mean


def test_names_the_closest_choice() -> None:
    assert did_you_mean("bpg", ["static", "bgp", "kernel"]) == "did you mean 'bgp'?"


def test_prefix_goes_before_the_choice() -> None:
    assert did_you_mean("emty", ["empty", "len"], prefix=".") == "did you mean '.empty'?"


def test_lists_the_choices_in_their_order_when_none_is_close() -> None:
    assert did_you_mean("zzz", ["vm2", "vm1"], listing="nodes") == "nodes: vm2, vm1"


def test_no_hint_without_a_listing_when_none_is_close() -> None:
    assert did_you_mean("zzz", ["vm1", "vm2"]) is None


def test_cutoff_decides_how_close_is_close_enough() -> None:
    # difflib's ratio: 'selfx' against 'self' is 0.89, 'se' against 'self' 0.67
    assert closest_choice("selfx", {"self", "source"}, cutoff=0.8) == "self"
    assert closest_choice("se", {"self", "source"}, cutoff=0.8) is None
    assert closest_choice("se", {"self", "source"}) == "self"


def test_accepts_any_iterable_once() -> None:
    assert did_you_mean("vm", (name for name in ["vm1", "db1"]), listing="nodes") == "did you mean 'vm1'?"
    assert did_you_mean("x", (name for name in ["vm1", "db1"]), listing="nodes") == "nodes: vm1, db1"
