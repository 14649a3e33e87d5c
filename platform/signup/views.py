from django.shortcuts import render


def landing(request):
    """The public site's landing page for boards."""
    return render(request, "signup/landing.html")
