from django.urls import path

from benefits import skill_views, views

app_name = "benefits"
urlpatterns = [
    path("", views.unemployment, name="unemployment"),
    path("register/", views.register, name="register"),
    path("claim/", views.claim_start, name="claim_start"),
    path("claim/documents/", views.claim_upload, name="claim_upload"),
    path("claim/submit/", views.claim_submit, name="claim_submit"),
    path("claim/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("claim/reemployed/", views.claim_reemployed, name="claim_reemployed"),
    path("skill-subsidy/", skill_views.skill_subsidy, name="skill_subsidy"),
    path("skill-subsidy/claim/", skill_views.skill_claim_start, name="skill_claim_start"),
    path(
        "skill-subsidy/<int:pk>/documents/",
        skill_views.skill_claim_upload,
        name="skill_claim_upload",
    ),
    path(
        "skill-subsidy/<int:pk>/submit/", skill_views.skill_claim_submit, name="skill_claim_submit"
    ),
    path(
        "skill-subsidy/<int:pk>/withdraw/",
        skill_views.skill_claim_withdraw,
        name="skill_claim_withdraw",
    ),
]
