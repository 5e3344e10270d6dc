"""What the case pipeline adds to accounts' pages (see accounts.extensions)."""

from accounts.extensions import Banner
from casework import in_progress, workflow

# The overview lists this many; the rest are counted.
SHOWN = 5


def cases_in_progress_panel(request, state):
    """The overview's notice of the person's own cases in progress, each with its
    status, what happens next and a link to it. Nobody with none pays a query."""
    user = request.user
    total = in_progress.count(user)
    if not total:
        return None
    rows = []
    for case in in_progress.cases_in_progress(user)[:SHOWN]:
        flow = workflow.get(case.kind)
        rows.append(
            {
                "title": flow.title,
                "reference": case.reference,
                "status": flow.label(case.status),
                "next_step": flow.next_steps.get(case.status, ""),
                "url": flow.applicant_url(case) if flow.applicant_url else "",
            }
        )
    return Banner(
        "casework/includes/in_progress.html",
        {"cases": rows, "total": total, "more": max(0, total - len(rows))},
    )
