"""URLs of disclosure: the public pages under /disclosure/ and the staff pages under /staff/disclosure/."""

app_name = "disclosure"
urlpatterns: list = []
