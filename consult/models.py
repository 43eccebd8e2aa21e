"""Every model module, imported once so the metadata (and Alembic) sees every table."""

from consult import jobs
from consult.accounts import models as accounts_models
from consult.api import models as api_models
from consult.surveys import models as surveys_models
from consult.surveys import tally_models

__all__ = ["accounts_models", "api_models", "jobs", "surveys_models", "tally_models"]
