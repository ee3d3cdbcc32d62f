"""URLs of opinion: the public pages under /opinion/ and the staff pages under /opinion/staff/."""

app_name = "opinion"
urlpatterns: list = []
