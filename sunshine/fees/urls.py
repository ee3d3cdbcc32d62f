"""URLs of fees: the public pages under /fees/ and the staff pages under /staff/fees/."""

app_name = "fees"
urlpatterns: list = []
