"""The history filter's selects are rendered once and reused: same HTML as Django's."""

from django import forms
from django.utils import translation

from accounts.forms import HistoryFilterForm, MemoSelect


def _plain(form):
    out = []
    for name in ("year", "kind"):
        field = form[name]
        widget = forms.Select(choices=form.fields[name].choices)
        out.append(widget.render(field.html_name, field.value(), field.build_widget_attrs({})))
    return out


def test_same_html_as_a_plain_select_for_each_value_and_language():
    years = [2026, 2025, 2024]
    for data in (None, {"year": "2025"}, {"year": "2024", "kind": "payout"}, {"year": "x"}):
        for language in ("en", "zh-hans"):
            with translation.override(language):
                form = HistoryFilterForm(data, years=years)
                if data:
                    form.is_valid()
                memo = [
                    MemoSelect(choices=form.fields[n].choices).render(
                        form[n].html_name, form[n].value(), form[n].build_widget_attrs({})
                    )
                    for n in ("year", "kind")
                ]
                assert memo == _plain(form)


def test_the_chosen_year_is_selected_not_a_stale_copy():
    first = str(HistoryFilterForm({"year": "2025"}, years=[2026, 2025])["year"])
    second = str(HistoryFilterForm({"year": "2026"}, years=[2026, 2025])["year"])
    assert '<option value="2025" selected>' in first
    assert '<option value="2026" selected>' in second
    assert '<option value="2025" selected>' not in second
