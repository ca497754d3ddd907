// Every command id SPDK Lens registers, in one place: package.json contributes these, and code names them only here.
export const COMMAND = {
  showIndexSummary: 'spdkLens.showIndexSummary',
  reindex: 'spdkLens.reindex',
  openLocation: 'spdkLens.openLocation',
  peekLocations: 'spdkLens.peekLocations',
  openBookTopic: 'spdkLens.openBookTopic',
  measureEditor: 'spdkLens.measureEditor',
  tourStart: 'spdkLens.tour.start',
  tourStartBuiltin: 'spdkLens.tour.startBuiltin',
  tourNext: 'spdkLens.tour.next',
  tourPrevious: 'spdkLens.tour.previous',
  tourEnd: 'spdkLens.tour.end',
  tourValidate: 'spdkLens.tour.validate',
  bookOpen: 'spdkLens.book.open',
  bookOpenChapter: 'spdkLens.book.openChapter',
  bookChooseFolder: 'spdkLens.book.chooseFolder',
  showBdevGraph: 'spdkLens.showBdevGraph',
  showBdevGraphOfConfig: 'spdkLens.showBdevGraphOfConfig',
  runChecks: 'spdkLens.runChecks',
  showLifecyclePaths: 'spdkLens.showLifecyclePaths',
} as const;

export type CommandName = keyof typeof COMMAND;
