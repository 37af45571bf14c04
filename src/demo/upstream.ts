/**
 * The demo's upstream: a tiny Flask trading app in the style of the running example,
 * in two versions. v2 is what `git pull upstream` brings: reformatted engine calls, new
 * lines above the patched places, a context line changed next to a fork hunk, a module
 * upstream added (which the frozen pooling patch would silently miss), and a typo fix
 * the fork had carried as its own patch.
 */

const engine = (name: string, url: string, env: string, file: string, layout: 'multi' | 'one' | 'single' | 'extra'): string => {
  const call =
    layout === 'multi'
      ? `${name} = create_engine(\n    ${url},\n    poolclass=NullPool,\n    connect_args={"check_same_thread": False}\n)\n`
      : layout === 'one'
        ? `${name} = create_engine(${url}, poolclass=NullPool, connect_args={"check_same_thread": False})\n`
        : layout === 'single'
          ? `${name} = create_engine(\n    ${url},\n    poolclass=NullPool,\n    connect_args={'check_same_thread': False},\n)\n`
          : `${name} = create_engine(\n    ${url},\n    echo=False,\n    poolclass=NullPool,\n    connect_args={"check_same_thread": False}\n)\n`;
  return `import logging
import os

from sqlalchemy import Column, DateTime, Integer, String, create_engine
from sqlalchemy.ext.declarative import declarative_base
from sqlalchemy.orm import scoped_session, sessionmaker
from sqlalchemy.pool import NullPool

logger = logging.getLogger(__name__)

${url} = os.getenv("${url}", "sqlite:///db/${env}.db")

${call}
${name.replace('engine', 'session')} = scoped_session(
    sessionmaker(autocommit=False, autoflush=False, bind=${name})
)
Base = declarative_base()
Base.query = ${name.replace('engine', 'session')}.query_property()


class ${file}(Base):
    __tablename__ = "${env}"
    id = Column(Integer, primary_key=True)
    name = Column(String(255), nullable=False)
    created_at = Column(DateTime)


def init_db():
    logger.info("Initializing ${env} DB")
    Base.metadata.create_all(bind=${name})
`;
};

const settings = (v2: boolean) => `import os

from sqlalchemy import Column, Integer, String, create_engine
from sqlalchemy.ext.declarative import declarative_base
from sqlalchemy.orm import scoped_session, sessionmaker
from sqlalchemy.pool import NullPool

DATABASE_URL = os.getenv("DATABASE_URL", "sqlite:///db/openalgo.db")

${v2 ? 'engine = create_engine(DATABASE_URL, poolclass=NullPool, connect_args={"check_same_thread": False})' : 'engine = create_engine(\n    DATABASE_URL,\n    poolclass=NullPool,\n    connect_args={"check_same_thread": False}\n)'}

db_session = scoped_session(sessionmaker(autocommit=False, autoflush=False, bind=engine))
Base = declarative_base()


class Settings(Base):
    __tablename__ = "settings"
    id = Column(Integer, primary_key=True)
    analyze_mode = Column(Integer, default=0)
    theme = Column(String(20), default="light")


def get_analyze_mode():
    """Return True when analyzer mode is on."""
    settings = Settings.query.first()
    if not settings:
        return False
    return bool(settings.analyze_mode)


def set_theme(theme${v2 ? ': str' : ''}):
    """Persist the UI theme."""
    settings = Settings.query.first() or Settings()
    settings.theme = theme
    db_session.add(settings)
    db_session.commit()
`;

const app = (v2: boolean) => `from flask import Flask, render_template

${v2 ? 'from blueprints.health import health_bp\n' : ''}from database.auth_db import init_db as init_auth_db
from database.settings_db import get_analyze_mode
from database.traffic_db import init_db as init_traffic_db

app = Flask(__name__)
${v2 ? 'app.register_blueprint(health_bp)\n' : ''}

@app.route("/")
def index():
    mode = "analyzer" if get_analyze_mode() else "live"
    return render_template("index.html", mode=mode)


def setup():
    init_auth_db()
    init_traffic_db()


if __name__ == "__main__":
    setup()
    app.run(host="127.0.0.1", port=5000)
`;

const userDb = (typoFixed: boolean) => engine('user_engine', 'USER_DATABASE_URL', 'users', 'User', 'single').replace(
  'def init_db():',
  `def find_user(name):\n    """Look up a user by ${typoFixed ? 'name' : 'nmae'}."""\n    return User.query.filter_by(name=name).first()\n\n\ndef init_db():`,
);

const pg = `import os

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

# Analytics live in PostgreSQL: NullPool is right here (pgbouncer pools for us).
ANALYTICS_URL = os.getenv("ANALYTICS_URL", "postgresql://localhost/analytics")

analytics_engine = create_engine(ANALYTICS_URL, poolclass=NullPool)
`;

export function upstreamV1(): Record<string, string> {
  return {
    'app.py': app(false),
    'database/__init__.py': '',
    'database/traffic_db.py': engine('logs_engine', 'LOGS_DATABASE_URL', 'logs', 'TrafficLog', 'multi'),
    'database/auth_db.py': engine('auth_engine', 'AUTH_DATABASE_URL', 'auth', 'Auth', 'multi'),
    'database/user_db.py': userDb(false),
    'database/settings_db.py': settings(false),
    'database/apilog_db.py': engine('apilog_engine', 'APILOG_DATABASE_URL', 'apilog', 'ApiLog', 'one'),
    'database/strategy_db.py': engine('strategy_engine', 'STRATEGY_DATABASE_URL', 'strategy', 'Strategy', 'extra'),
    'database/analytics_pg.py': pg,
  };
}

export function upstreamV2(): Record<string, string> {
  const v1 = upstreamV1();
  return {
    ...v1,
    'app.py': app(true),
    'blueprints/__init__.py': '',
    'blueprints/health.py': 'from flask import Blueprint\n\nhealth_bp = Blueprint("health", __name__)\n\n\n@health_bp.route("/health")\ndef health():\n    return {"status": "ok"}\n',
    // Reformatted by upstream's formatter: one-line call, trailing comma style elsewhere.
    'database/settings_db.py': settings(true),
    'database/auth_db.py': v1['database/auth_db.py']!.replace(
      'auth_engine = create_engine(\n    AUTH_DATABASE_URL,\n    poolclass=NullPool,\n    connect_args={"check_same_thread": False}\n)',
      "auth_engine = create_engine(AUTH_DATABASE_URL, poolclass=NullPool, connect_args={'check_same_thread': False})",
    ),
    // New lines above the engine: the frozen hunks would land at an offset.
    'database/traffic_db.py': v1['database/traffic_db.py']!.replace('logger = logging.getLogger(__name__)\n', 'logger = logging.getLogger(__name__)\n\n# Traffic logs rotate daily; see scripts/rotate_logs.py\nLOG_RETENTION_DAYS = int(os.getenv("LOG_RETENTION_DAYS", "14"))\n'),
    // Upstream took the fork's typo fix.
    'database/user_db.py': userDb(true),
    // A module upstream added: the rule covers it, the frozen patch does not.
    'database/latency_db.py': engine('latency_engine', 'LATENCY_DATABASE_URL', 'latency', 'OrderLatency', 'multi'),
  };
}

/** The fork's own, ordinary patches (besides the template one), as edits of v1 files. */
export const forkEdits: Array<{ name: string; description: string; edit: (files: Record<string, string>) => void }> = [
  {
    name: '02-app-banner.patch',
    description: 'Show the fork banner on the index page.\n\nOur users need to know they run the fork, not upstream.\n',
    edit: (f) => {
      f['app.py'] = f['app.py']!.replace('    return render_template("index.html", mode=mode)', '    return render_template("index.html", mode=mode, banner="patchq demo fork")');
    },
  },
  {
    name: '03-settings-default.patch',
    description: 'Default theme: dark.\n\nThe fork ships a dark theme by default and validates the value.\n',
    edit: (f) => {
      f['database/settings_db.py'] = f['database/settings_db.py']!
        .replace('theme = Column(String(20), default="light")', 'theme = Column(String(20), default="dark")')
        .replace('    settings = Settings.query.first() or Settings()\n    settings.theme = theme', '    if theme not in ("light", "dark"):\n        raise ValueError(f"unknown theme {theme!r}")\n    settings = Settings.query.first() or Settings()\n    settings.theme = theme');
    },
  },
  {
    name: '04-user-typo.patch',
    description: 'Fix a typo in find_user\'s docstring.\n\nSent upstream; drop this patch once they take it.\n',
    edit: (f) => {
      f['database/user_db.py'] = f['database/user_db.py']!.replace('by nmae', 'by name');
    },
  },
];
