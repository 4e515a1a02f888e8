// The editor page's window as the browser tests reach it inside page.evaluate and page.waitForFunction: the parts of
// Node-RED's editor API (RED) and of our editor namespace (GreengrassStreamManagerEditor) that the tests use, and no
// more. Declaring them on Window once spares each test a cast of its own; a test file that reaches them imports this
// file, so that the dependency shows.

/** The type of a node as the editor registered it (RED.nodes.getType). */
export interface EditorNodeDefinition {
  defaults: Record<string, { value: unknown }>;
  credentials?: Record<string, unknown>;
  /** The labels of the output ports: a list, or a function of the port's index called with the node as `this`. */
  outputLabels?: string[] | ((this: EditorNode, index: number) => string | undefined);
}

/** A node (or config node) in the editor: its saved properties under their names, as a deploy would save them. */
export interface EditorNode {
  id: string;
  type: string;
  /** False when a property fails its check: the editor marks the node with a red triangle. */
  valid?: boolean;
  /** The number of output ports, for a node that has any. */
  outputs?: number;
  /** sm out's and sm admin's export definition, as the text the dialog saved. */
  exportDefinition?: string;
  _def: EditorNodeDefinition;
  [property: string]: unknown;
}

export interface EditorTab {
  id: string;
  label: string;
}

/** One sample of a stream's health, as the sidebar's chart draws it. */
export interface HealthChartPoint {
  at: number;
  state: string;
  fillPercent: number;
  exportLagMessages: number;
  exportLagAgeMs: number;
}

export interface NodeRedEditor {
  /** A catalog text in the editor's language, with its values and plural forms filled in. */
  _(key: string, options?: object): string;
  nodes: {
    /** Undefined for an id the editor does not hold. */
    node(id: string): EditorNode | undefined;
    /** Undefined until the type's definition has loaded. */
    getType(type: string): EditorNodeDefinition | undefined;
    eachNode(visit: (node: EditorNode) => boolean | void): void;
    eachConfig(visit: (node: EditorNode) => boolean | void): void;
    eachWorkspace(visit: (tab: EditorTab) => boolean | void): void;
  };
  view: { importNodes(nodes: object[], options: { generateIds?: boolean; addFlow?: boolean }): void };
  editor: {
    edit(node: EditorNode): void;
    editConfig(name: string, type: string, id: string): void;
  };
  workspaces: {
    show(id: string): void;
    /** The shown tab's id; 0 until the editor has loaded the flows. */
    active(): string | 0;
  };
  sidebar: {
    show(id: string): void;
    containsTab(id: string): boolean;
  };
}

export interface StreamManagerEditorNamespace {
  sidebar: {
    healthChart: { chart(points: HealthChartPoint[], options: { now: number; height: number; fillThreshold: number }): SVGElement };
  };
}

declare global {
  interface Window {
    /** Set by the editor's first script; a wait for the editor to load checks `'RED' in window` before using it. */
    RED: NodeRedEditor;
    GreengrassStreamManagerEditor: StreamManagerEditorNamespace;
    /** The editor's jQuery: the tests ask it only whether an element is still animated (`:animated`). */
    jQuery(element: Element): { is(selector: string): boolean };
  }
}
