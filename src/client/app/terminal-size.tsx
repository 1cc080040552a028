// The terminal's size, following every resize. Tests pass a fixed size instead.
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useStdout } from "ink";

export interface Size {
  columns: number;
  rows: number;
}

const FixedSizeContext = createContext<Size | null>(null);

export function FixedTerminalSize(props: { size: Size; children: ReactNode }): ReactNode {
  return <FixedSizeContext.Provider value={props.size}>{props.children}</FixedSizeContext.Provider>;
}

const readSize = (stdout: NodeJS.WriteStream): Size => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });

export function useTerminalSize(): Size {
  const fixed = useContext(FixedSizeContext);
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => readSize(stdout));
  useEffect(() => {
    if (fixed) return;
    const onResize = (): void => setSize(readSize(stdout));
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout, fixed]);
  return fixed ?? size;
}
