from django.urls import path

from benefits import skill_views

app_name = "training"
urlpatterns = [
    path("", skill_views.training, name="training"),
    path("apply/", skill_views.training_apply, name="apply"),
    path("<int:pk>/withdraw/", skill_views.training_withdraw, name="withdraw"),
]
