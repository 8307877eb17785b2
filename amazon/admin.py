from django import forms
from django.contrib import admin

from amazon.models import Order, SellerAccount
from amazon.spapi import SpApiError, marketplace


def _secret(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted. Leave empty to keep the current value.",
    )  # fmt: skip


class SellerAccountForm(forms.ModelForm):
    lwa_client_secret = _secret("LWA client secret")
    refresh_token = _secret("Refresh token")

    class Meta:
        model = SellerAccount
        fields = ("name", "lwa_app_id", "lwa_client_secret", "refresh_token", "marketplaces",
                  "is_active")  # fmt: skip

    def _keep(self, field: str):
        value = self.cleaned_data[field]
        if not value and self.instance.pk:
            return getattr(self.instance, field)
        if not value:
            raise forms.ValidationError("A new account needs this.")
        return value

    def clean_lwa_client_secret(self):
        return self._keep("lwa_client_secret")

    def clean_refresh_token(self):
        return self._keep("refresh_token")

    def clean_marketplaces(self):
        codes = [
            c.strip().upper() for c in self.cleaned_data["marketplaces"].split(",") if c.strip()
        ]
        if not codes:
            raise forms.ValidationError("Name at least one marketplace, e.g. US or UK,DE.")
        for code in codes:
            try:
                marketplace(code)
            except SpApiError as exc:
                raise forms.ValidationError(str(exc)) from None
        return ",".join(codes)


@admin.register(SellerAccount)
class SellerAccountAdmin(admin.ModelAdmin):
    form = SellerAccountForm
    list_display = ("name", "marketplaces", "is_active", "last_pull_at", "last_error")
    readonly_fields = ("last_pull_at", "last_error")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("order_id", "marketplace", "status", "ship_by", "lookup", "fetched_at")
    list_filter = ("marketplace", "status", "lookup", "is_unshipped")
    search_fields = ("order_id",)
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request):
        return False
