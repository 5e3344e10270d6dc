"""The benefits app's endpoints of the REST API (mounted under /api/v1/)."""

from django.urls import path

from benefits import api, skill_api

urlpatterns = [
    path(
        "unemployment/registration/",
        api.RegistrationView.as_view(),
        name="unemployment-registration",
    ),
    path(
        "benefits/unemployment/eligibility/",
        api.EligibilityView.as_view(),
        name="unemployment-eligibility",
    ),
    path("benefits/unemployment/", api.UnemploymentClaimView.as_view(), name="unemployment"),
    *[
        path(f"benefits/unemployment/{action}/", view.as_view(), name=f"unemployment-{action}")
        for action, view in [
            ("documents", api.UnemploymentDocumentView),
            ("submit", api.UnemploymentSubmitView),
            ("withdraw", api.UnemploymentWithdrawView),
            ("reemployed", api.UnemploymentReemployedView),
        ]
    ],
    path("benefits/skill-subsidy/", skill_api.SkillSubsidyView.as_view(), name="skill-subsidy"),
    path(
        "benefits/skill-subsidy/<int:pk>/",
        skill_api.SkillSubsidyDetailView.as_view(),
        name="skill-subsidy-detail",
    ),
    *[
        path(
            f"benefits/skill-subsidy/<int:pk>/{action}/",
            view.as_view(),
            name=f"skill-subsidy-{action}",
        )
        for action, view in [
            ("documents", skill_api.SkillSubsidyDocumentView),
            ("submit", skill_api.SkillSubsidySubmitView),
            ("withdraw", skill_api.SkillSubsidyWithdrawView),
        ]
    ],
    path("training/courses/", skill_api.TrainingCoursesView.as_view(), name="training-courses"),
    path(
        "training/applications/",
        skill_api.TrainingApplicationsView.as_view(),
        name="training-applications",
    ),
    path(
        "training/applications/<int:pk>/",
        skill_api.TrainingApplicationDetailView.as_view(),
        name="training-application-detail",
    ),
    path(
        "training/applications/<int:pk>/withdraw/",
        skill_api.TrainingApplicationWithdrawView.as_view(),
        name="training-application-withdraw",
    ),
]
