"""URLs of decisions: public pages under /decisions/, staff pages under /decisions/staff/."""

app_name = "decisions"
urlpatterns: list = []
