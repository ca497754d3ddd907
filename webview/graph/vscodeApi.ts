// The one handle on the host: messages out, and the state VS Code keeps across hide/show and hands back after a reload.
import type { GraphViewState, GraphViewToHost } from '../../src/core/graph/graphViewProtocol';

interface VsCodeApi {
  postMessage(message: GraphViewToHost): void;
  getState(): unknown;
  setState(state: GraphViewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** acquireVsCodeApi may be called once per page. */
export const host: VsCodeApi = acquireVsCodeApi();
