"""What every form of the site adds to Django's.

Django (5.2) ties a field's hint and error to its input itself: it sets
``aria-describedby="<id>_helptext <id>_error"`` and ``aria-invalid`` on the widget, and
the templates in ``accounts/includes/`` render elements with those ids (on a
fieldset for radio and checkbox groups, which Django leaves to the template).
"""


class DomainErrorMixin:
    """Lets a view show a service's refusal (a DomainError) on the form."""

    def add_domain_error(self, error):
        """Next to its field when the form has that field, above the form otherwise."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.message))
