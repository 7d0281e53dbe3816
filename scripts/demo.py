"""`make demo`, run inside the private network namespace (scripts/netns-run).

Starts a real Janus from a generated config, publishes a synthetic camera through a
VideoRoom with one aiortc peer, subscribes with a second, and prints what arrives.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))


async def main() -> int:
    if os.environ.get("KLASSE_NETNS") != "1":
        print("demo: needs the private network namespace:",
              os.environ.get("KLASSE_NETNS_UNAVAILABLE", "run it with `make demo`"))
        return 1
    from test_janus_two_peers import test_video_flows_from_publisher_to_subscriber

    from klasse.server.janus_config import JanusSettings
    from klasse.server.janus_process import JanusProcess

    print("demo: starting Janus inside the private network (10.77.0.1) ...")
    janus = JanusProcess(JanusSettings(ice_address=os.environ["KLASSE_SERVER_ADDR"]))
    await janus.start()
    try:
        print("demo: a synthetic camera publishes through Janus; a second peer receives it")
        await test_video_flows_from_publisher_to_subscriber(janus)
        print("demo: video went from one aiortc peer through Janus to the other. "
              "The room service and the desktop client are not built yet.")
    finally:
        await janus.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
