"""The three-way merge as a pure function: rules, and properties over random inputs."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from crm_desktop.conflict_policy import ConflictPolicy, DeleteRule, FieldRule
from crm_protocol.hlc import format_stamp
from crm_protocol.records import CONTACT
from sync.merge import merge_tags, three_way_merge

FIELDS = [f.name for f in CONTACT.fields if f.derived_from is None and f.kind.value != "tags"]
EARLY = format_stamp(1_000, 0, "aaaa")
LATE = format_stamp(2_000, 0, "bbbb")


def record(**values: Any) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(f.name for f in CONTACT.fields)
    out["shared"] = False
    out.update(values)
    return out


def test_different_fields_merge_silently() -> None:
    base = record(first_name="Ann")
    result = three_way_merge("contact", base, record(first_name="Ann", title="CTO"),
                             record(first_name="Ann", city="Oslo"))
    assert result.merged["title"] == "CTO" and result.merged["city"] == "Oslo"
    assert result.conflicts == []


def test_same_field_later_edit_wins_either_side() -> None:
    base, mine, theirs = record(title="A"), record(title="Mine"), record(title="Theirs")
    late_mine = three_way_merge("contact", base, mine, theirs,
                                mine_stamps={"title": LATE}, theirs_stamps={"title": EARLY})
    assert late_mine.merged["title"] == "Mine"
    (conflict,) = late_mine.conflicts
    assert (conflict.winner, conflict.theirs, conflict.mine) == ("mine", "Theirs", "Mine")
    late_theirs = three_way_merge("contact", base, mine, theirs,
                                  mine_stamps={"title": EARLY}, theirs_stamps={"*": LATE})
    assert late_theirs.merged["title"] == "Theirs"
    assert late_theirs.conflicts[0].winner == "theirs"


def test_unstamped_side_counts_as_older() -> None:
    result = three_way_merge("contact", record(title="A"), record(title="Mine"), record(title="Theirs"),
                             mine_stamps={"title": EARLY}, theirs_stamps={})
    assert result.merged["title"] == "Mine"


def test_rules_per_field_kind() -> None:
    policy = ConflictPolicy({"text": FieldRule.THEIRS, "long_text": FieldRule.MINE})
    base = record(title="A", notes="n")
    result = three_way_merge("contact", base, record(title="Mine", notes="my notes"),
                             record(title="Theirs", notes="their notes"),
                             mine_stamps={"*": LATE}, theirs_stamps={"*": EARLY}, policy=policy)
    assert result.merged["title"] == "Theirs"  # text: theirs, although mine is later
    assert result.merged["notes"] == "my notes"  # long text: mine
    assert {c.field: c.rule for c in result.conflicts} == {"title": "theirs", "notes": "mine"}


def test_policy_settings_round_trip_and_bad_entries() -> None:
    policy = ConflictPolicy.from_settings({"text": "mine", "delete": "delete", "email": "nonsense", "x": "mine"})
    assert policy.rule_for("text") is FieldRule.MINE
    assert policy.rule_for("email") is FieldRule.LATEST  # bad value: the default
    assert policy.delete is DeleteRule.DELETE_WINS
    assert ConflictPolicy.from_settings(policy.to_settings()) == policy


def test_derived_field_follows_its_source() -> None:
    base = record(phone="+1 202 555 0100", phone_e164="+12025550100")
    mine = record(phone="+1 202 555 0199", phone_e164="+12025550199")
    result = three_way_merge("contact", base, mine, base)
    assert result.merged["phone_e164"] == "+12025550199"


values = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))
stamps = st.integers(min_value=1, max_value=50).map(lambda ms: format_stamp(ms, 0, "n"))


@st.composite
def triples(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, str], dict[str, str]]:
    names = draw(st.lists(st.sampled_from(FIELDS[:6]), min_size=1, max_size=4, unique=True))
    base = record(**{n: draw(values) for n in names})
    mine = {**base, **{n: draw(values) for n in names}}
    theirs = {**base, **{n: draw(values) for n in names}}
    mine_stamps = {n: format_stamp(draw(st.integers(1, 50)), 0, "m") for n in names}
    theirs_stamps = {n: format_stamp(draw(st.integers(1, 50)), 0, "t") for n in names}
    return base, mine, theirs, mine_stamps, theirs_stamps


@settings(max_examples=300, deadline=None)
@given(triples(), st.sampled_from(list(FieldRule)))
def test_no_edit_is_ever_lost(case, rule: FieldRule) -> None:  # type: ignore[no-untyped-def]
    base, mine, theirs, ms, ts = case
    result = three_way_merge("contact", base, mine, theirs, mine_stamps=ms, theirs_stamps=ts,
                             policy=ConflictPolicy(dict.fromkeys(("text",), rule)))
    conflicts = {c.field: c for c in result.conflicts}
    for name in FIELDS:
        b, m, t, out = base.get(name), mine.get(name), theirs.get(name), result.merged.get(name)
        assert out in (m, t)
        if m != b and out != m:
            assert conflicts[name].mine == m  # my edit lost: kept in the inbox
        if t != b and out != t:
            assert conflicts[name].theirs == t  # their edit lost: kept in the inbox
        if m == b or t == b or m == t:
            assert name not in conflicts  # one-sided or equal changes never ask


@settings(max_examples=200, deadline=None)
@given(triples())
def test_later_edit_wins_whichever_side_merges(case) -> None:  # type: ignore[no-untyped-def]
    base, mine, theirs, ms, ts = case
    forward = three_way_merge("contact", base, mine, theirs, mine_stamps=ms, theirs_stamps=ts)
    backward = three_way_merge("contact", base, theirs, mine, mine_stamps=ts, theirs_stamps=ms)
    assert forward.merged == backward.merged  # every replica agrees, whoever syncs first


@settings(max_examples=100, deadline=None)
@given(triples())
def test_merging_with_itself_changes_nothing(case) -> None:  # type: ignore[no-untyped-def]
    base, mine, _theirs, ms, _ts = case
    result = three_way_merge("contact", base, mine, mine, mine_stamps=ms, theirs_stamps=ms)
    assert result.merged == {k: v for k, v in mine.items() if k in result.merged}
    assert not result.conflicts


tag_sets = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), unique=True, max_size=5)


@settings(max_examples=300, deadline=None)
@given(tag_sets, tag_sets, tag_sets)
def test_tags_merge_keeps_every_addition_and_removal(base: list[str], mine: list[str], theirs: list[str]) -> None:
    merged = set(merge_tags(base, mine, theirs) or [])
    b, m, t = set(base), set(mine), set(theirs)
    assert (m - b) | (t - b) <= merged  # additions on either side survive
    assert not ((b - m) | (b - t)) & merged  # removals on either side survive
    assert merged <= b | m | t  # nothing invented
    assert set(merge_tags(base, theirs, mine) or []) == merged  # the same whoever merges


def test_tags_never_conflict_in_a_record_merge() -> None:
    result = three_way_merge("account", {"name": "Acme", "tags": ["a", "b"]}, {"name": "Acme", "tags": ["a", "c"]},
                             {"name": "Acme", "tags": ["a", "b", "d"]})
    assert result.merged["tags"] == ["a", "d", "c"] and result.conflicts == []
