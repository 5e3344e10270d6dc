"""The staff dashboard shown on the admin index."""

from django import template

from withdrawals.admin_views import dashboard_data

register = template.Library()


@register.inclusion_tag("admin/includes/staff_dashboard.html", takes_context=True)
def staff_dashboard(context):
    request = context.get("request")
    data = dashboard_data(request.user) if request is not None else None
    return {"dashboard": data, "request": request}
