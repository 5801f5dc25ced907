from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from flows.report import wordxml as wx
from flows.report.wordxml import Column, GroupRow, TableStyles

STYLES = TableStyles(table="Tab", header="Head", text="Text", group="Group")


def texts(element: etree._Element) -> list[str]:
    return [t.text or "" for t in element.iter(wx.w("t"))]


def test_markup_in_board_text_stays_text() -> None:
    hostile = '</w:t></w:r><w:r><w:t>injected</w:t> & <b>"x"</b>'
    p = wx.paragraph(hostile, "Normal")
    assert texts(p) == [hostile]
    round_trip = etree.fromstring(etree.tostring(p))
    assert texts(round_trip) == [hostile]
    assert len(list(round_trip.iter(wx.w("r")))) == 1


def test_control_characters_are_dropped_and_breaks_kept() -> None:
    p = wx.paragraph("rad ett\x0b\x00\nrad två\tflik")
    assert texts(p) == ["rad ett", "rad två", "flik"]
    assert len(list(p.iter(wx.w("br")))) == 1
    assert len(list(p.iter(wx.w("tab")))) == 1


def test_table_header_repeats_and_rows_do_not_split() -> None:
    columns = [Column("Nr", 1.0), Column("Aktivitet", 5.0)]
    tbl = wx.table(columns, [GroupRow("Socialnämnden"), ["1.1", "Utbildning"]], STYLES)
    rows = tbl.findall(wx.w("tr"))
    assert rows[0].find(f"{wx.w('trPr')}/{wx.w('tblHeader')}") is not None
    assert all(r.find(f"{wx.w('trPr')}/{wx.w('cantSplit')}") is not None for r in rows)
    assert all(r.find(f"{wx.w('trPr')}/{wx.w('tblHeader')}") is None for r in rows[1:])
    assert texts(rows[0]) == ["Nr", "Aktivitet"]
    span = rows[1].find(f"{wx.w('tc')}/{wx.w('tcPr')}/{wx.w('gridSpan')}")
    assert span is not None and span.get(wx.w("val")) == "2"
    assert texts(rows[2]) == ["1.1", "Utbildning"]
    style = tbl.find(f"{wx.w('tblPr')}/{wx.w('tblStyle')}")
    assert style is not None and style.get(wx.w("val")) == "Tab"


def test_field_runs_form_one_complex_field() -> None:
    runs = wx.field_runs("PAGE", "1")
    kinds = [c.get(wx.w("fldCharType")) for r in runs for c in r if c.tag == wx.w("fldChar")]
    assert kinds == ["begin", "separate", "end"]
    assert "PAGE" in "".join(r.findtext(wx.w("instrText")) or "" for r in runs)


@given(st.text(max_size=200))
def test_any_text_round_trips_through_a_table(text: str) -> None:
    tbl = wx.table([Column("A", 2.0)], [[text], GroupRow(text)], STYLES)
    cells = tbl.findall(f"{wx.w('tr')}/{wx.w('tc')}")
    expected = wx._BREAKS.sub("", wx.clean(text))
    for tc in cells[1:]:
        assert "".join(texts(tc)) == expected
