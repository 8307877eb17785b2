from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm

from sellerdesk.models import User


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "initials", "phone")


class UserChangeForm(BaseUserChangeForm):
    class Meta:
        model = User
        fields = (
            "email", "full_name", "initials", "phone", "groups",
            "is_active", "is_staff", "is_superuser",
        )  # fmt: skip


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("full_name",)
    list_display = ("full_name", "email", "initials", "phone", "is_active")
    list_filter = ("groups", "is_active", "is_staff")
    search_fields = ("email", "full_name", "initials")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "initials", "phone")}),
        ("Roles", {"fields": ("groups", "is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "initials", "phone", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ("groups",)
