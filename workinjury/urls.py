from django.urls import path

from workinjury import views

app_name = "workinjury"
urlpatterns = [
    path("", views.work_injury, name="work_injury"),
    path("appraisal/", views.appraisal_apply, name="appraisal_apply"),
]
