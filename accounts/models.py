from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. Cardholders and heirs sign in with their national ID number as the
    username; staff with an ordinary username. The insured person is `Cardholder`."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
