"""URLs of petitions: the public pages under /petitions/ and the staff pages under /staff/petitions/."""

app_name = "petitions"
urlpatterns: list = []
