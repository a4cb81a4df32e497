"""The baseline of bench/check_load.py: a bare Flask app (no extensions, no database, no session) that
answers every GET with the same ~600-byte HTML fragment, like the eligibility panel.  Served by
check_load.py with the production gunicorn.conf.py:

    gunicorn -c gunicorn.conf.py --pythonpath bench bare_app:app
"""

from flask import Flask

FRAGMENT = (
    '<div id="live-panel" class="panel live outcome-ineligible" aria-live="polite">\n'
    "<h2>対象外です</h2>\n"
    '<ul class="reasons"><li>資本金 50,000,000円 は小売業の上限 50,000,000円 以下です。 '
    '<span class="cite">（中小企業基本法 第2条第1項第3号）</span></li>'
    "<li>常時使用する従業員 51人 は小売業の上限 50人 を超えています。 "
    '<span class="cite">（中小企業基本法 第2条第1項第3号）</span></li></ul>\n'
    '<p class="hint">これまでの回答からの目安です。書類を確認したうえで事務局が判断します。</p>\n'
    "</div>\n"
)

app = Flask(__name__)


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def fragment(path: str):
    return FRAGMENT, 200, {"Content-Type": "text/html; charset=utf-8"}
