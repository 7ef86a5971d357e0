"""The application's URLs plus a bare Django view, the floor every page is compared with (bench only)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path


@login_not_required
def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/vue-nue/", bare), path("", include("pti.urls"))]
