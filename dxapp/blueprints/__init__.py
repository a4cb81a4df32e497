"""Blueprints: public, auth, sme, expert, supporter_org, secretariat."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from dxapp.blueprints.auth import bp as auth
    from dxapp.blueprints.expert import bp as expert
    from dxapp.blueprints.public import bp as public
    from dxapp.blueprints.secretariat import bp as secretariat
    from dxapp.blueprints.sme import bp as sme
    from dxapp.blueprints.supporter_org import bp as supporter_org

    app.register_blueprint(public)
    app.register_blueprint(auth, url_prefix="/account")
    app.register_blueprint(sme, url_prefix="/sme")
    app.register_blueprint(expert, url_prefix="/expert")
    app.register_blueprint(supporter_org, url_prefix="/supporter")
    app.register_blueprint(secretariat, url_prefix="/secretariat")
