from django.conf import settings


def site(request):
    """The newsroom's name, for the base template."""
    return {"site_name": settings.SITE_NAME}
