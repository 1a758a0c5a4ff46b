"""Pages of the partner area. Thin: parse, call a selector or service, render."""

def signup(request, **kwargs):
    raise NotImplementedError

def application_list(request, **kwargs):
    raise NotImplementedError

def application_new(request, **kwargs):
    raise NotImplementedError

def application_detail(request, **kwargs):
    raise NotImplementedError

def application_act(request, **kwargs):
    raise NotImplementedError

def partner_detail(request, **kwargs):
    raise NotImplementedError

def public_catalogue(request, **kwargs):
    raise NotImplementedError

def public_notices(request, **kwargs):
    raise NotImplementedError

def public_notice(request, **kwargs):
    raise NotImplementedError

def public_poster(request, **kwargs):
    raise NotImplementedError
