// Write-then-rename with fsync, the one implementation the data folder's contract defines.
export { writeFileAtomic } from "../../data-folder/index.js";
