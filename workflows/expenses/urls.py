from django.urls import path

from workflows.expenses import views

urlpatterns = [
    path("", views.expense_list, name="expense-list"),
    path("new/", views.expense_new, name="expense-new"),
    path("<int:pk>/", views.expense_detail, name="expense-detail"),
    path("<int:pk>/act/", views.expense_act, name="expense-act"),
    path("<int:pk>/sheet/", views.expense_sheet, name="expense-sheet"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.expense_attachment, name="expense-attachment"),
    path("<int:pk>/flow/", views.expense_flow, name="expense-process-flow"),
    path("flow/", views.expense_flow, name="expense-flow"),
    path("<int:pk>/chart/", views.ExpenseChartView.as_view(), name="expense-process-chart"),
    path("flow/chart/", views.ExpenseChartView.as_view(), name="expense-flow-chart"),
]
