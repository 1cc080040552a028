// The status line: key hints, or the current message (errors red, confirmations green,
// progress dimmed with a spinner).
import type { ReactNode } from "react";
import { Box, Text } from "ink";
import type { StatusMessage } from "../app/status.js";
import { useTheme } from "../app/services.js";
import { useSpinner } from "./use-spinner.js";

export function StatusLine(props: { message: StatusMessage | null; hints: string; width: number; prompt?: string | null }): ReactNode {
  const theme = useTheme();
  const { message } = props;
  const spinner = useSpinner(message?.kind === "progress");
  let content: ReactNode;
  if (props.prompt) content = <Text>{theme.paint("warning", props.prompt)}</Text>;
  else if (!message) content = <Text>{theme.paint("dim", props.hints)}</Text>;
  else if (message.kind === "progress") content = <Text>{theme.paint("dim", `${spinner} ${message.text}`)}</Text>;
  else if (message.kind === "error") content = <Text>{theme.paint("error", message.text)}</Text>;
  else if (message.kind === "success") content = <Text>{theme.paint("success", message.text)}</Text>;
  else content = <Text>{message.text}</Text>;
  return (
    <Box width={props.width} height={1}>
      <Text wrap="truncate-end">
        {" "}
        {content}
      </Text>
    </Box>
  );
}
