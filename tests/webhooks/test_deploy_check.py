from webhooks.checks import private_addresses_are_refused


def test_deploy_check_is_quiet_by_default(settings):
    settings.DEBUG = False
    settings.APP_WEBHOOKS_ALLOW_PRIVATE = None

    assert private_addresses_are_refused() == []


def test_deploy_check_refuses_private_delivery(settings):
    settings.APP_WEBHOOKS_ALLOW_PRIVATE = True

    (error,) = private_addresses_are_refused()

    assert error.id == "webhooks.E001"
