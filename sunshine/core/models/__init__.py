"""Core models, one module per piece of shared machinery. Each module lists its
models in ``__all__``."""

from sunshine.core.models.audit import *  # noqa: F403
from sunshine.core.models.calendar import *  # noqa: F403
from sunshine.core.models.crypto import *  # noqa: F403
from sunshine.core.models.figures import *  # noqa: F403
from sunshine.core.models.forms import *  # noqa: F403
from sunshine.core.models.issued import *  # noqa: F403
from sunshine.core.models.local_rules import *  # noqa: F403
from sunshine.core.models.scheduler import *  # noqa: F403
from sunshine.core.models.search import *  # noqa: F403
from sunshine.core.models.supervision import *  # noqa: F403
from sunshine.core.models.throttle import *  # noqa: F403
from sunshine.core.models.transitions import *  # noqa: F403
from sunshine.core.models.uploads import *  # noqa: F403
