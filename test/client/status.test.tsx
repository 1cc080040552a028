import { useEffect, type ReactNode } from "react";
import { Text } from "ink";
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { useStatus, type StatusApi } from "../../src/client/app/status.js";

function Probe(props: { onReady: (status: StatusApi) => void; timeoutMs: number }): ReactNode {
  const status = useStatus(props.timeoutMs);
  useEffect(() => {
    props.onReady(status);
  });
  return <Text>{status.message ? `${status.message.kind}: ${status.message.text}` : "hints"}</Text>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("status line messages", () => {
  it("go back to the hints after the timeout", async () => {
    let api: StatusApi | null = null;
    const view = render(<Probe timeoutMs={80} onReady={(s) => (api = s)} />);
    await sleep(10);
    api!.show("error", "Boom");
    await sleep(10);
    expect(view.lastFrame()).toBe("error: Boom");
    await sleep(120);
    expect(view.lastFrame()).toBe("hints");
    view.unmount();
  });

  it("go back at the next key (dismiss), but progress stays until done", async () => {
    let api: StatusApi | null = null;
    const view = render(<Probe timeoutMs={5_000} onReady={(s) => (api = s)} />);
    await sleep(10);
    api!.show("success", "Posted");
    await sleep(10);
    api!.dismiss();
    await sleep(10);
    expect(view.lastFrame()).toBe("hints");
    const done = api!.progress("Loading");
    await sleep(10);
    api!.dismiss();
    await sleep(10);
    expect(view.lastFrame()).toBe("progress: Loading");
    done();
    await sleep(10);
    expect(view.lastFrame()).toBe("hints");
    view.unmount();
  });
});
