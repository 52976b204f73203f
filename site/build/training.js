// site/training.ts
document.body.append("training page");
//# sourceMappingURL=training.js.map
