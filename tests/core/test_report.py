"""The printable report's HTML: self-contained, complete, escaped, free of secrets. No Qt."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain import dates
from core.domain.inventory import Inventory
from core.domain.plan import build_plan
from core.domain.samples import demo_inventory
from core.services.demo import open_demo
from core.services.report.export import ReportError, write_report
from core.services.report.html import render_html
from core.services.report.model import CATEGORY_WORDS, PLAN_TITLE, build_report
from core.storage.keychain import MemorySecretStore
from tests.core.factories import NOW, authorization, channel, company


class _Parsed(HTMLParser):
    """Tags with their attributes, the text (entities resolved) and the raw SVG texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.text: list[str] = []
        self.svg_text: list[list[str]] = []
        self._in_svg_text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(attrs)))
        if tag == "svg":
            self.svg_text.append([])
        self._in_svg_text = tag == "text"

    def handle_endtag(self, tag: str) -> None:
        self._in_svg_text = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_svg_text:
            self.svg_text[-1].append(data)


def parse(document: str) -> _Parsed:
    parsed = _Parsed()
    parsed.feed(document)
    parsed.close()
    return parsed


def demo() -> Inventory:
    inventory, _ = demo_inventory(NOW, "report-test")
    return inventory


def html_of(inventory: Inventory) -> str:
    return render_html(build_report(inventory, NOW, inventory_name="test", version="9.9"))


def test_the_html_is_self_contained() -> None:
    document = html_of(demo())
    parsed = parse(document)
    tags = {tag for tag, _ in parsed.tags}
    assert "script" not in tags
    assert "link" not in tags
    assert "iframe" not in tags
    assert "img" not in tags
    for _, attrs in parsed.tags:
        for name, value in attrs:
            assert not name.startswith("on"), name  # no event handler
            if name in ("src", "href", "xlink:href", "action"):
                pytest.fail(f"{name}={value!r}: the report must fetch and link nothing")
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", document, re.IGNORECASE)
    assert "@import" not in document
    assert "url(" not in document


def test_the_html_holds_every_channel_with_its_badges_as_words() -> None:
    inventory = demo()
    document = html_of(inventory)
    text = "".join(parse(document).text)
    rows = build_report(inventory, NOW, inventory_name="t", version="1").rows
    assert len(rows) == len(inventory.channels) == document.count("<tr>") - 1  # the header row
    for row in rows:
        for words in (row.company, row.channel, row.marketplace, row.expiry, row.app_status):
            assert words in text
        assert all(badge.text in text for badge in row.badges)
    for item in inventory.companies.values():
        assert item.name in text


def test_the_html_holds_the_plan_with_its_sites_accounts_and_channels() -> None:
    inventory = demo()
    text = "".join(parse(html_of(inventory)).text)
    plan = build_plan(inventory, NOW)
    assert plan
    assert PLAN_TITLE in text
    for item in plan:
        assert item.title in text
        assert item.seller_central_url in text
        assert item.account_hint in text
        assert all(reason in text for reason in item.reasons)


def test_both_charts_carry_their_labels_and_counts_as_text() -> None:
    inventory = demo()
    report = build_report(inventory, NOW, inventory_name="t", version="1")
    bars_text, timeline_text = parse(render_html(report)).svg_text
    for bar in report.bars:
        assert bar.label in bars_text
    assert [int(t) for t in bars_text if t.isdigit()] == [b.count for b in report.bars]
    assert sum(b.count for b in report.bars) == len(inventory.channels)
    assert [label for _, label, _ in CATEGORY_WORDS] == [b.label for b in report.bars]
    months = [m.label.split(" ")[0] for m in report.months]
    assert [t for t in timeline_text if t in months] == months
    assert len(report.months) == 12
    assert [int(t) for t in timeline_text if t.isdigit() and len(t) < 4] == [
        m.count for m in report.months
    ]


def _one_grant_inventory(*ends_in_days: int) -> Inventory:
    inv = Inventory()
    inv.companies["c1"] = company()
    for n, days in enumerate(ends_in_days):
        auth = replace(authorization(f"a{n}"), expires_at=NOW + timedelta(days=days))
        inv.authorizations[auth.id] = auth
        inv.channels[f"ch{n}"] = channel(f"ch{n}", authorization_id=auth.id)
    return inv


def test_the_timeline_counts_each_authorization_in_the_month_it_ends() -> None:
    inv = _one_grant_inventory(-3, 0, 20, 45, 45, 200, 400)
    # An earlier grant kept for Roll back is not in use: not on the timeline.
    inv.authorizations["old"] = replace(authorization("old"), expires_at=NOW + timedelta(days=45))
    report = build_report(inv, NOW, inventory_name="t", version="1")
    assert report.already_expired == 2  # ended 3 days ago, and ending today
    counted = {m.first_day: m.count for m in report.months}
    for days in (20, 45, 200):
        ends = dates.local_day(NOW + timedelta(days=days))
        assert counted[ends.replace(day=1)] >= 1
    assert report.in_timeline == 4  # 400 days is beyond the 12 months
    assert report.months[0].first_day == dates.local_day(NOW).replace(day=1)


def test_an_inventory_with_nothing_to_do_says_so() -> None:
    text = "".join(parse(html_of(Inventory())).text)
    assert "Nothing to reauthorize" in text
    assert "0 channels in 0 companies" in text


_HOSTILE = st.one_of(
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "</td></tr></table><h1>owned</h1>",
            "<!-- x",
            "]]><svg onload=alert(1)>",
            "&lt;b&gt; & \"quotes\" 'single'",
            "<style>body{display:none}</style>",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_HOSTILE.filter(lambda s: s.strip() != ""))
def test_a_hostile_company_name_is_shown_as_text_and_never_becomes_markup(name: str) -> None:
    benign = demo()
    target = sorted(benign.companies)[0]
    hostile = benign.copy()
    hostile.companies[target] = replace(benign.companies[target], name=name)
    safe_tags = parse(html_of(benign)).tags
    parsed = parse(html_of(hostile))
    # The same elements with the same attributes (rows may sort elsewhere): the name added no
    # tag and no attribute.
    assert sorted(parsed.tags) == sorted(safe_tags)
    assert name in "".join(parsed.text)


def test_no_secret_value_or_keychain_entry_name_reaches_the_report(tmp_path: Path) -> None:
    store = MemorySecretStore()
    workspace = open_demo(amazon=False, now=NOW, secrets=store)
    try:
        names = store.names()
        assert names  # the demo saved its refresh tokens, MWS tokens and client secret
        values = [secret.reveal() for n in names if (secret := store.get(n)) is not None]
        out = write_report(workspace, "html", tmp_path / "report.html", NOW, version="1")
        assert out == tmp_path / "report.html"
        document = out.read_text(encoding="utf-8")
        for forbidden in (*values, *names, *workspace.current.secret_refs()):
            assert forbidden not in document
        for value in values:  # not even a long stretch of one
            assert value[len(value) // 4 : len(value) // 4 + 12] not in document
    finally:
        workspace.close()


def test_a_report_that_cannot_be_written_says_why_and_leaves_nothing(tmp_path: Path) -> None:
    inventory = demo()
    with pytest.raises(ReportError) as missing:
        write_report(inventory, "html", tmp_path / "no" / "such" / "r.html", NOW)
    assert "does not exist" in missing.value.message
    assert missing.value.next_step
    with pytest.raises(ReportError) as folder:
        write_report(inventory, "html", tmp_path, NOW)
    assert "is a folder" in folder.value.message
    with pytest.raises(ReportError) as unknown:
        write_report(inventory, "docx", tmp_path / "r.docx", NOW)
    assert "html or pdf" in unknown.value.next_step
    with pytest.raises(ReportError):
        write_report(inventory, "pdf", tmp_path / "r.pdf", NOW)  # no painter given
    assert list(tmp_path.iterdir()) == []


def test_a_failing_painter_leaves_no_partial_file(tmp_path: Path) -> None:
    def broken(_report: object, path: Path) -> None:
        path.write_bytes(b"%PDF-half")
        raise OSError(28, "No space left on device")

    with pytest.raises(ReportError) as failed:
        write_report(demo(), "pdf", tmp_path / "r.pdf", NOW, render_pdf=broken)
    assert "No space left on device" in failed.value.message
    assert list(tmp_path.iterdir()) == []
