"""Reads of the benefits app."""

from benefits.models import UnemploymentRegistration


def current_registration(cardholder):
    """The person's latest unemployment registration, or None."""
    if cardholder is None:
        return None
    return UnemploymentRegistration.objects.filter(cardholder=cardholder).first()


def unemployment_contribution_months(cardholder, *, before):
    """How many months of unemployment contributions the record holds before `before`
    (the day the job ended)."""
    from accounts.models import Contribution, Scheme

    return (
        Contribution.objects.filter(
            cardholder=cardholder, scheme=Scheme.UNEMPLOYMENT, month__lt=before
        )
        .values("month")
        .distinct()
        .count()
    )


def regional_amount(region, year):
    from benefits.models import RegionalBenefitAmount

    row = RegionalBenefitAmount.objects.filter(region=region, year=year).first()
    return row.monthly_amount if row else None


def eligibility(cardholder, today):
    """The facts for the benefit rules, read from the person's record, and the decision."""
    from accounts.models import Cardholder
    from benefits import unemployment_rules as rules

    registration = current_registration(cardholder)
    ended = registration.job_ended_on if registration else today
    facts = rules.Facts(
        contribution_months=unemployment_contribution_months(cardholder, before=ended),
        job_ended_on=registration.job_ended_on if registration else None,
        how_ended=registration.how_ended if registration else None,
        registered=registration is not None,
        seeking_work=bool(registration and registration.seeking_work),
        pension_in_payment=cardholder.employment_status == Cardholder.EmploymentStatus.RETIRED,
        monthly_amount=regional_amount(cardholder.region, today.year),
    )
    return rules.decide(facts)
