"""The enterprise registry (生产经营单位), its classification (分类分级), licences, annual inspection plans
(年度监督检查计划) and random draws (双随机一公开)."""
