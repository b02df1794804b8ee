from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("households/", views.households, name="households"),
    path("households/<int:household_id>/", views.household_detail, name="household_detail"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<int:account_id>/", views.account_detail, name="account_detail"),
]
