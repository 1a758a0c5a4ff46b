from django.urls import path

from forms import api

urlpatterns = [
    path("forms/", api.FormListView.as_view(), name="lowcode-api-list"),
    path("forms/designer/definitions/", api.DesignerDefinitionsView.as_view(), name="lowcode-api-definitions"),
    path("forms/designer/definitions/<slug:code>/", api.DesignerDefinitionView.as_view(), name="lowcode-api-definition"),
    path("forms/designer/definitions/<slug:code>/drafts/", api.DesignerDraftCreateView.as_view(), name="lowcode-api-draft"),
    path("forms/designer/versions/<int:pk>/", api.DesignerVersionView.as_view(), name="lowcode-api-version"),
    path("forms/designer/versions/<int:pk>/publish/", api.DesignerTransitionView.as_view(action="publish"),
         name="lowcode-api-publish"),
    path("forms/designer/versions/<int:pk>/retire/", api.DesignerTransitionView.as_view(action="retire"),
         name="lowcode-api-retire"),
    path("forms/designer/compare/", api.DesignerCompareView.as_view(), name="lowcode-api-compare"),
    path("forms/designer/preview/", api.DesignerPreviewView.as_view(), name="lowcode-api-preview"),
    path("forms/<slug:code>/", api.FormDetailView.as_view(), name="lowcode-api-detail"),
    path("forms/<slug:code>/validate/", api.FormValidateView.as_view(), name="lowcode-api-validate"),
]
