"""The staff form recording a death at work and its dependants (WIR Art. 39)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workinjury import death_rules
from workinjury.models import Relation


class WorkDeathForm(forms.Form):
    reference = forms.CharField(
        label=_("Recognition reference"), max_length=20, help_text=_("As WI-2026-000001.")
    )
    died_on = forms.DateField(label=_("Date of death"), help_text=_("YYYY-MM-DD"))


class DependantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    relation = forms.ChoiceField(
        label=_("Relation to the worker"), choices=[("", "—"), *Relation.choices], required=False
    )
    lone = forms.BooleanField(label=_("Lone elder or orphan"), required=False)
    until = forms.DateField(label=_("Paid until (if known)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("relation"):
            self.add_error("relation", _("Say how this dependant is related to the worker."))
        if data.get("relation") and not data.get("name"):
            self.add_error("name", _("Give the dependant's name."))
        return data


DependantFormSet = forms.formset_factory(DependantForm, extra=6, max_num=12)


class WorkDeathDecisionForm(forms.Form):
    APPROVE, REFUSE = "approve", "refuse"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (APPROVE, _("Approve: the death was caused by the work injury")),
            (REFUSE, _("Refuse: the death was not caused by the work injury")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason the family reads (for a refusal)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REFUSE and not str(data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason the family reads."))
        return data


REFUSAL_CODE = death_rules.NOT_FROM_INJURY
