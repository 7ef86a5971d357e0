from django.shortcuts import render

from axes.models import Pacte


def home(request):
    pactes = Pacte.objects.order_by("-first_year")
    return render(request, "home.html", {"pactes": pactes})
